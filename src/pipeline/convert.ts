/**
 * The engine's one entry point: a checked source and options in, tagged audio files out.
 * Everything happens in a private work directory; files are moved into the output directory only
 * when the whole conversion has succeeded, so a failure or a cancel leaves nothing behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { asConvertError, ConvertError, type ErrorCode } from '../errors.ts';
import { type Item, type ItemContext, localItem, type Made, produceItem } from './item.ts';
import { makeWorkDir } from './leftovers.ts';
import { validateOptions } from './options.ts';
import { ProgressReporter } from './progress.ts';
import { publish } from './publish.ts';
import { openSession, type Session } from './session.ts';
import type { ConvertOptions, Engine, OutputFile, Progress, Source } from './types.ts';
import { extract, type MediaInfo } from './ytdlp.ts';

export interface ConvertContext {
  engine: Engine;
  /** Where the finished files go. */
  outDir: string;
  onProgress?: (p: Progress) => void;
  /** Called once what the source is becomes known, before any media is downloaded. */
  onInfo?: (info: SourceInfo) => void;
  /**
   * Called with each item's square cover as soon as it is made, while the audio is still being
   * made. The file is in the work directory, which goes away with the conversion: copy it to keep it.
   */
  onCover?: (path: string) => Promise<void>;
  signal?: AbortSignal;
}

export interface SourceInfo {
  title: string;
  duration: number | null;
  thumbnail: string | null;
  site: string;
  /** The site's id for the video or playlist (null for local files). */
  id: string | null;
  /** Playlists: their entries, in order. */
  entries?: { title: string | null; url: string }[];
}

export interface Skipped {
  title: string | null;
  url: string;
  error: { code: ErrorCode; message: string };
}

export interface ConvertResult {
  files: OutputFile[];
  /** Playlist entries that could not be converted (private, removed, too long…). */
  skipped: Skipped[];
}

/** Entry errors that skip one playlist entry instead of failing the whole playlist. */
const SKIPPABLE: ReadonlySet<ErrorCode> = new Set([
  'unavailable',
  'sign_in_required',
  'too_long',
  'too_large',
  'no_audio',
  'corrupt_media',
  'unsupported_site',
]);

export async function convert(source: Source, options: ConvertOptions, ctx: ConvertContext): Promise<ConvertResult> {
  validateOptions(options);
  const reporter = new ProgressReporter(ctx.onProgress);
  const work = await makeWorkDir(ctx.engine.tmpDir);
  let session: Session | null = null;
  try {
    reporter.update('probing', null);
    const made: Made[] = [];
    const skipped: Skipped[] = [];
    const itemCtx = { engine: ctx.engine, options, reporter, onCover: ctx.onCover, signal: ctx.signal };
    if (source.kind === 'file') {
      const item = await localItem(ctx.engine.tools, source.path, ctx.signal);
      ctx.onInfo?.({ title: item.facts.title, duration: item.duration, thumbnail: null, site: 'file', id: null });
      made.push(...(await produceItem(item, { ...itemCtx, dir: work })));
    } else {
      session = await openSession(ctx.engine);
      await convertUrl(source.canonicalUrl, session, { ...itemCtx, dir: work, onInfo: ctx.onInfo }, made, skipped);
    }
    return { files: await publish(made, ctx.outDir, options.format, ctx.engine.tools), skipped };
  } catch (err) {
    throw ctx.signal?.aborted ? new ConvertError('cancelled', 'The conversion was cancelled.') : asConvertError(err);
  } finally {
    reporter.stop();
    await session?.close();
    await rm(work, { recursive: true, force: true, maxRetries: 2 });
  }
}

type ItemCtx = ItemContext & { onInfo?: ConvertContext['onInfo'] };

async function convertUrl(
  url: string,
  session: Session,
  ctx: ItemCtx,
  made: Made[],
  skipped: Skipped[],
): Promise<void> {
  const query = { formatSpec: formatSpec(ctx.options), maxEntries: ctx.engine.limits.maxPlaylistEntries };
  const info = await extract(session.ytdlp, url, query, ctx.signal);
  session.checkSite(info.site);
  const media = info.kind === 'media';
  ctx.onInfo?.({
    title: info.title,
    duration: media ? info.duration : null,
    thumbnail: media ? info.thumbnail : null,
    site: info.site,
    id: info.id || null,
    ...(media ? {} : { entries: info.entries }),
  });
  if (info.kind === 'media') {
    made.push(...(await produceItem(remoteItem(info, session), ctx)));
    return;
  }
  const count = info.entries.length;
  if (count === 0) throw new ConvertError('unavailable', 'This playlist has no videos.');
  for (const [i, entry] of info.entries.entries()) {
    ctx.reporter.setItem({ index: i + 1, count, title: entry.title ?? undefined });
    ctx.reporter.update('probing', null);
    try {
      const entryInfo = await extract(session.ytdlp, entry.url, query, ctx.signal);
      if (entryInfo.kind !== 'media') throw new ConvertError('unsupported_site', 'Nested playlists are not supported.');
      session.checkSite(entryInfo.site);
      const item = { ...remoteItem(entryInfo, session), playlist: { album: info.title, index: i + 1, count } };
      const dir = await mkdtemp(join(ctx.dir, 'entry-'));
      made.push(...(await produceItem(item, { ...ctx, dir })));
    } catch (err) {
      const e = asConvertError(err);
      if (!SKIPPABLE.has(e.code) || ctx.signal?.aborted) throw e;
      skipped.push({ title: entry.title, url: entry.url, error: e.toJSON() });
    }
  }
  if (made.length === 0)
    throw new ConvertError(skipped[0]?.error.code ?? 'unavailable', skipped[0]?.error.message ?? '');
}

/** Prefer a source already in the target codec, so that it can be copied instead of re-encoded. */
export function formatSpec(options: ConvertOptions): string {
  const reencode =
    options.quality !== undefined || options.normalize || options.start !== undefined || options.end !== undefined;
  const codec = { mp3: 'mp3', m4a: 'mp4a', opus: 'opus', ogg: 'vorbis', flac: 'flac', wav: null }[options.format];
  return reencode || codec === null ? 'bestaudio/best' : `bestaudio[acodec^=${codec}]/bestaudio/best`;
}

function remoteItem(info: MediaInfo, session: Session): Item {
  if (info.format.acodec === 'none') throw new ConvertError('no_audio', 'This video has no audio track to convert.');
  return {
    facts: { ...info, url: info.url || null },
    duration: info.duration,
    chapters: info.chapters,
    thumbnail: info.thumbnail,
    input: { kind: 'remote', info, ytdlp: session.ytdlp },
  };
}
