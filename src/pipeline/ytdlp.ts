/**
 * yt-dlp as a subprocess: argv builders and its info JSON turned into our own types (its
 * failures: ytdlp-errors.ts). User input only ever appears after `--`.
 */
import { ConvertError } from '../errors.ts';
import { collect } from './process.ts';
import { isoDate, type SourceFacts } from './tags.ts';
import type { Chapter } from './types.ts';
import { ytdlpError } from './ytdlp-errors.ts';
import type { StartYtdlp } from './ytdlp-server.ts';

/** How to call yt-dlp for one conversion: how to start it, its fixed leading options, its environment. */
export interface Ytdlp {
  /** A process of its own, or a fork of a warm one (ytdlp-server.ts): the same argv either way. */
  start: StartYtdlp;
  baseArgs: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Hosts the address guard refused so far (their 403s mean `forbidden_address`). */
  refused(): readonly string[];
}

export interface RemoteFormat {
  id: string;
  ext: string;
  acodec: string | null;
  hasVideo: boolean;
  /** yt-dlp's DASH container names (`webm_dash`, `m4a_dash`) mark streams readable from a pipe. */
  container: string | null;
  size: number | null;
  /** The audio's sample rate as the site states it (YouTube's is the stream's own). */
  sampleRate: number | null;
}

/** The facts tags are made of (title, uploader, artist, track, album, date), and the rest. */
export interface MediaInfo extends Omit<SourceFacts, 'url'> {
  kind: 'media';
  id: string;
  duration: number | null;
  thumbnail: string | null;
  chapters: Chapter[];
  url: string;
  site: string;
  format: RemoteFormat;
  /** yt-dlp's own JSON, fed back with --load-info-json so the download does not extract again. */
  json: string;
}

export interface PlaylistInfo {
  kind: 'playlist';
  id: string;
  title: string;
  uploader: string | null;
  url: string;
  site: string;
  entries: PlaylistEntry[];
}

/** An entry as the flat listing gives it: no media read yet, its length and uploader (channel) where the site lists them. */
export interface PlaylistEntry {
  url: string;
  title: string | null;
  duration: number | null;
  uploader: string | null;
}

const PROGRESS_PREFIX = 'YTCONV-PROGRESS';
const PROGRESS_TEMPLATE = `download:${PROGRESS_PREFIX} %(progress.status)s %(progress.downloaded_bytes)s %(progress.total_bytes)s %(progress.total_bytes_estimate)s %(progress.eta)s`;

/** What to ask of a link: the format to pick for media, and how many playlist entries to accept. */
export interface Query {
  formatSpec: string;
  maxEntries: number;
  /** How long the extraction may take (a quick look is held to less than a conversion's). */
  timeoutMs?: number;
}

/**
 * Extract a link's info. A playlist is listed flat, and no further than one entry past the limit:
 * enough to tell that it is too long without listing a whole 10 000-video channel.
 */
export function infoArgs(base: readonly string[], url: string, query: Query): string[] {
  return [
    ...base,
    ...['-J', '--flat-playlist', '--no-playlist', '--playlist-end', String(query.maxEntries + 1)],
    ...['-f', query.formatSpec, '--', url],
  ];
}

/** Download one already-extracted format to `output` (`-` streams to stdout). */
export function downloadArgs(base: readonly string[], infoJson: string, formatId: string, output: string): string[] {
  return [
    ...base,
    ...['--load-info-json', infoJson, '-f', formatById(formatId), '-o', output],
    ...['--newline', '--progress-template', PROGRESS_TEMPLATE],
    ...['--no-part', '--no-mtime', '--retries', '5', '--file-access-retries', '1'],
  ];
}

/**
 * The selector for exactly the format with this id. A bare id is not enough: `-f webm` (also mp4,
 * flv, 3gp…) means "the best pre-merged webm", which the audio-only formats yt-dlp's generic
 * extractor names after a direct link's extension are not. `b*` is any format with audio or video,
 * narrowed by an exact filter on the id; quoted, because ids may hold `:`, `=` or `*` (yt-dlp has
 * already replaced spaces, commas, slashes, `+` and brackets in them). yt-dlp 2023.03.04 and
 * 2026.08 both read it.
 */
export function formatById(id: string): string {
  return `b*[format_id="${id.replaceAll('"', '\\"')}"]`;
}

export interface DownloadProgress {
  done: boolean;
  bytes: number;
  total: number | null;
  eta: number | null;
}

/** One `--progress-template` line, or null for any other line yt-dlp prints. */
export function parseProgressLine(line: string): DownloadProgress | null {
  if (!line.startsWith(PROGRESS_PREFIX)) return null;
  const [, status, bytes, total, estimate, eta] = line.split(' ');
  const n = (v: string | undefined): number | null => (v === undefined || v === 'NA' ? null : Number(v) || null);
  return { done: status === 'finished', bytes: n(bytes) ?? 0, total: n(total) ?? n(estimate), eta: n(eta) };
}

export async function extract(
  ytdlp: Ytdlp,
  url: string,
  query: Query,
  signal?: AbortSignal,
): Promise<MediaInfo | PlaylistInfo> {
  let json: string;
  try {
    const running = await ytdlp.start(infoArgs(ytdlp.baseArgs, url, query), {
      env: ytdlp.env,
      signal,
      timeoutMs: query.timeoutMs ?? 120_000,
    });
    json = await collect(running);
  } catch (err) {
    throw ytdlpError(err, ytdlp.refused());
  }
  const info = toInfo(JSON.parse(json) as RawInfo, json);
  if (info.kind === 'playlist' && info.entries.length > query.maxEntries) throw tooManyEntries(query.maxEntries);
  return info;
}

function tooManyEntries(max: number): ConvertError {
  return new ConvertError('too_large', `This playlist has more entries than this server's limit of ${max}.`);
}

interface RawInfo {
  _type?: string;
  id?: string;
  title?: string;
  uploader?: string;
  channel?: string;
  artists?: unknown;
  creators?: unknown;
  artist?: string;
  creator?: string;
  track?: string;
  album?: string;
  upload_date?: string;
  release_date?: string;
  release_year?: number;
  duration?: number;
  thumbnail?: string;
  chapters?: { start_time?: number; end_time?: number; title?: string }[] | null;
  webpage_url?: string;
  original_url?: string;
  extractor?: string;
  format_id?: string;
  ext?: string;
  acodec?: string;
  vcodec?: string;
  container?: string;
  filesize?: number;
  asr?: number;
  entries?: {
    url?: string;
    webpage_url?: string;
    title?: string;
    duration?: number;
    uploader?: string;
    channel?: string;
  }[];
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function positive(value: unknown): number | null {
  return typeof value === 'number' && value > 0 ? value : null;
}

export function toInfo(raw: RawInfo, json: string): MediaInfo | PlaylistInfo {
  const site = (raw.extractor ?? 'generic').toLowerCase();
  const url = raw.webpage_url ?? raw.original_url ?? '';
  if (raw._type === 'playlist') {
    const entries = (raw.entries ?? []).flatMap((e) => {
      const entryUrl = str(e.url) ?? str(e.webpage_url);
      return entryUrl
        ? [
            {
              url: entryUrl,
              title: str(e.title),
              duration: positive(e.duration),
              uploader: str(e.uploader) ?? str(e.channel),
            },
          ]
        : [];
    });
    const title = str(raw.title) ?? raw.id ?? 'Playlist';
    return {
      kind: 'playlist',
      id: raw.id ?? '',
      title,
      uploader: str(raw.uploader) ?? str(raw.channel),
      url,
      site,
      entries,
    };
  }
  const duration = positive(raw.duration);
  return {
    kind: 'media',
    id: raw.id ?? '',
    title: str(raw.title) ?? raw.id ?? 'audio',
    uploader: str(raw.uploader) ?? str(raw.channel),
    artists: artistsOf(raw),
    track: str(raw.track),
    album: str(raw.album),
    date: isoDate(raw.release_date) ?? yearOf(raw.release_year) ?? isoDate(raw.upload_date),
    duration,
    thumbnail: str(raw.thumbnail),
    chapters: toChapters(raw.chapters, duration),
    url,
    site,
    format: {
      id: raw.format_id ?? '',
      ext: raw.ext ?? '',
      acodec: raw.acodec ?? codecFromExt(raw),
      hasVideo: raw.vcodec !== undefined && raw.vcodec !== 'none' && raw.vcodec !== null,
      container: str(raw.container),
      // Only an exact size refuses up front; yt-dlp's estimates (bitrate × duration) may be wrong.
      size: raw.filesize ?? null,
      sampleRate: raw.asr ?? null,
    },
    json,
  };
}

/**
 * The artists: yt-dlp's lists (`artists`, else `creators`, since 2024), else its older single
 * fields, which joined several with ", " (split as yt-dlp itself splits them for its lists).
 */
function artistsOf(raw: RawInfo): string[] {
  for (const list of [raw.artists, raw.creators]) {
    const names = Array.isArray(list) ? list.flatMap((a) => str(a) ?? []) : [];
    if (names.length > 0) return names;
  }
  const joined = str(raw.artist) ?? str(raw.creator);
  return joined ? joined.split(', ').flatMap((a) => str(a) ?? []) : [];
}

function yearOf(year: unknown): string | null {
  return typeof year === 'number' && Number.isInteger(year) && year > 0 ? String(year) : null;
}

/** Direct links (yt-dlp's generic extractor) name no codec; an audio-only extension is a safe hint. */
function codecFromExt(raw: RawInfo): string | null {
  if (raw.vcodec !== 'none') return null;
  return ({ mp3: 'mp3', opus: 'opus', flac: 'flac' } as Record<string, string>)[raw.ext ?? ''] ?? null;
}

function toChapters(raw: RawInfo['chapters'], duration: number | null): Chapter[] {
  return (raw ?? []).flatMap((c, i) => {
    const start = c.start_time ?? 0;
    const end = c.end_time ?? duration ?? start;
    return end > start ? [{ start, end, title: str(c.title) ?? `Chapter ${i + 1}` }] : [];
  });
}
