/**
 * What the bench runs, the same way in every figure: ytconv's CLI, yt-dlp's own CLI doing the same
 * job, one ffmpeg encode of the local file, and the bare download of that file from the site.
 */
import { join } from 'node:path';
import type { Engine } from '../src/pipeline/types.ts';
import type { Site } from '../test/site/server.ts';
import { type Command, type Trial, timed } from './measure.ts';

export type Tools = Engine['tools'];

export const YTCONV = join(import.meta.dirname, '..', 'bin', 'ytconv');

/** A realistic rate for one YouTube media request, per request, as the site throttles it. */
export const BYTES_PER_SECOND = 4_000_000;

/** Every conversion in the bench: MP3 at 192 kbit/s. */
export const MP3_192K = { format: 'mp3', quality: '192k' } as const;

/** The stand-in site's extractor for yt-dlp, and a ytconv that accepts a site on loopback. */
export function childEnv(site: Site): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PYTHONPATH: [site.pluginDir, process.env.PYTHONPATH].filter(Boolean).join(':'),
    YTCONV_ALLOWED_SITES: '*',
    YTCONV_ALLOW_PRIVATE_ADDRESSES: '1',
    ...site.youtubeAliasEnv,
  };
}

export function ytconvCommand(urlOf: (round: number) => string): Command {
  return {
    label: 'ytconv convert',
    argv: (out, round) => [YTCONV, 'convert', urlOf(round), '-f', MP3_192K.format, '-q', MP3_192K.quality, '-o', out],
  };
}

/** What a user would type, plus the options ytconv also passes: no config files, no self-update, its ffmpeg. */
export function ytdlpCommand(tools: Tools, url: string): Command {
  return {
    label: 'yt-dlp -x',
    argv: (out) => [
      tools.ytdlp,
      ...['--ignore-config', '--no-update', '--ffmpeg-location', tools.ffmpeg],
      ...['-x', '--audio-format', 'mp3', '--audio-quality', '192K', '--embed-metadata', '--embed-thumbnail'],
      ...['-o', join(out, '%(title)s.%(ext)s'), '--', url],
    ],
  };
}

/** One encoder on the whole file, from disk: no download, no tags. */
export function ffmpegCommand(tools: Tools, source: string): Command {
  return {
    label: 'ffmpeg, local file',
    argv: (out) => [
      tools.ffmpeg,
      ...['-nostdin', '-v', 'error', '-i', source, '-c:a', 'libmp3lame', '-b:a', '192k', join(out, 'out.mp3')],
    ],
  };
}

/** The media alone, fetched at the site's rate and thrown away: the floor the network sets. */
export function downloadTrial(url: string): Trial {
  return {
    label: 'download',
    time: () =>
      timed(async () => {
        const res = await fetch(url);
        if (!res.ok || !res.body) throw new Error(`GET ${url} answered ${res.status}`);
        for await (const _ of res.body);
      }),
  };
}
