/**
 * From what a person typed to a checked Source: a local file, or an http(s) URL with YouTube's
 * many spellings folded into one canonical watch or playlist URL (so caching, de-duplication and
 * `--no-playlist` behaviour do not depend on how the link was copied). Pure: no I/O.
 */
import { ConvertError } from '../errors.ts';
import type { Source } from './types.ts';

/** A scheme of two or more letters; `localhost:8080` (port) and `C:\…` (drive) are not schemes. */
const SCHEME = /^[a-z][a-z\d+.-]+:(?!\d)/i;
const HOST = String.raw`(?:localhost|\[[\da-f:.]+\]|(?:[\p{L}\p{N}_-]+\.)+[\p{L}\p{N}-]+\.?)`;
/** A host (and port) followed by a path, query or fragment: `youtu.be/ID`, `example.com:8080/x`. */
const HOST_THEN_PATH = new RegExp(String.raw`^${HOST}(?::\d+)?(?:[/?#]|$)`, 'iu');
/** The same, but a bare `name.ext` is left to be a file name when files are allowed. */
const HOST_THEN_PATH_OR_PORT = new RegExp(String.raw`^${HOST}(?::\d+)?[/?#]|^${HOST}:\d+$`, 'iu');

const VIDEO_ID = /^[\w-]{11}$/;
const LIST_ID = /^[\w-]{2,}$/;
/** Hosts of yt-dlp's YouTube extractor (itself a `\w+.` subdomain wildcard); third-party mirrors are left out. */
const YOUTUBE_HOST = /^(?:\w+\.)?(?:youtube|youtube-nocookie|youtubekids)\.com$|^youtube\.googleapis\.com$/;
/** `/shorts/ID`, `/embed/ID` …; `embed/videoseries` and `embed/live_stream` name no video. */
const VIDEO_PATH = /^\/(?:v|embed|e|shorts|live|watch)\/(?!videoseries\b|live_stream\b)([^/]+)/;
/** Paths where `v=` names the video: `/watch`, `/watch_popup`, `/movie`, `/watch.php`, `/`. */
const WATCH_PATH = /^\/(?:(?:watch|movie)(?:_popup)?(?:\.php)?\/?)?$/;
/** A channel (or a tab of one: `/@name/videos`), which yt-dlp reads as a playlist of its uploads. */
const CHANNEL_PATH = /^\/(?:@[^/]+|(?:channel|c|user|browse|hashtag)\/[^/]+)(?:\/|$)/;
/** Control characters (C0, DEL, C1): the URL parser would silently drop tabs and line breaks, and keep the rest. */
const CONTROL = /\p{Cc}/u;

export interface ParseOptions {
  /** Whether input that is not URL-like is a local file path (CLI), or an error (web). */
  allowFiles: boolean;
}

export function parseSource(input: string, opts: ParseOptions): Source {
  const text = input.trim();
  if (text === '') throw invalid('No link was given.');
  if (SCHEME.test(text)) return parseUrl(text);
  if (text.startsWith('//')) return parseUrl(`https:${text}`);
  const hostLike = opts.allowFiles ? HOST_THEN_PATH_OR_PORT : HOST_THEN_PATH;
  if (hostLike.test(text)) return parseUrl(`https://${text}`);
  if (opts.allowFiles) return { kind: 'file', path: text };
  throw invalid(`"${text}" does not look like a link; expected something like https://www.youtube.com/watch?v=…`);
}

function parseUrl(text: string): Source {
  if (CONTROL.test(text)) throw invalid('The link contains control characters such as a line break; copy it again.');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(`"${text}" is not a valid link.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid(`Only http and https links are supported, not ${url.protocol.slice(0, -1)}.`);
  }
  return (
    youtubeSource(url) ?? { kind: 'url', url: url.href, site: null, id: null, canonicalUrl: url.href, type: 'unknown' }
  );
}

/** What a YouTube URL names, before the ids are checked. */
interface YouTubeRefs {
  video?: string;
  list?: string;
}

function youtubeSource(url: URL): Source | null {
  const host = url.hostname.replace(/\.$/, '');
  let refs: YouTubeRefs;
  if (host === 'youtu.be') refs = { video: url.pathname.split('/')[1] ?? '' };
  else if (YOUTUBE_HOST.test(host)) refs = youtubeRefs(url, false);
  else return null;

  const source = { kind: 'url', url: url.href, site: 'youtube' } as const;
  // A video wins over its list, like yt-dlp's --no-playlist: the user pasted the video they watch.
  if (refs.video !== undefined) {
    const id = checkedId(refs.video, VIDEO_ID, 'video');
    return { ...source, id, type: 'video', canonicalUrl: `https://www.youtube.com/watch?v=${id}` };
  }
  if (refs.list !== undefined) {
    const id = checkedId(refs.list, LIST_ID, 'playlist');
    return { ...source, id, type: 'playlist', canonicalUrl: `https://www.youtube.com/playlist?list=${id}` };
  }
  if (CHANNEL_PATH.test(url.pathname)) return { ...source, id: null, type: 'channel', canonicalUrl: url.href };
  throw invalid('This YouTube link names no video, playlist or channel; copy the address of the video’s own page.');
}

/** `nested` stops after one level of `#/…` or `attribution_link?u=…` indirection. */
function youtubeRefs(url: URL, nested: boolean): YouTubeRefs {
  const params = youtubeParams(url);
  const list = params.get('list') || undefined;
  const segment = VIDEO_PATH.exec(url.pathname)?.[1];
  if (segment !== undefined) return { video: segment, list };
  if (!nested && url.hash.startsWith('#/')) return youtubeRefs(new URL(url.hash.slice(1), url), true);
  const target = params.get('u');
  if (!nested && url.pathname === '/attribution_link' && target) return youtubeRefs(new URL(target, url), true);
  const video = WATCH_PATH.test(url.pathname) ? params.get('v') || undefined : undefined;
  return { video, list };
}

/**
 * Query parameters, plus those of a `#!v=…`/`#v=…` fragment (old AJAX links). `;` separates too, and
 * HTML-escaped `&amp;v=` still yields `v`, as yt-dlp's regex allows both.
 */
function youtubeParams(url: URL): URLSearchParams {
  const fragment = /^#!?(?!\/)/.test(url.hash) ? url.hash.replace(/^#!?/, '') : '';
  return new URLSearchParams(`${url.search.slice(1)}&${fragment}`.replaceAll(';', '&'));
}

function checkedId(id: string, pattern: RegExp, what: string): string {
  if (id === '') throw invalid(`This YouTube link names no ${what}; the link may be cut off.`);
  if (!pattern.test(id)) throw invalid(`"${id}" is not a valid YouTube ${what} id; the link may be cut off.`);
  return id;
}

function invalid(message: string): ConvertError {
  return new ConvertError('invalid_url', message);
}

/**
 * Whether yt-dlp's extractor `name` (`youtube`, `youtube:tab`, `generic` …) is allowed: a listed
 * name allows itself and its `name:…` sub-extractors, case-insensitively.
 */
export function isSiteAllowed(extractorKeyOrName: string, allowed: readonly string[] | '*'): boolean {
  if (allowed === '*') return true;
  const name = extractorKeyOrName.trim().toLowerCase();
  return allowed.some((site) => {
    const key = site.trim().toLowerCase();
    return name === key || name.startsWith(`${key}:`);
  });
}

/** yt-dlp's extractor for a YouTube source: `youtube` for a video, `youtube:tab` for lists and channels. */
export function youtubeExtractor(type: 'video' | 'playlist' | 'channel' | 'unknown'): string {
  return type === 'video' ? 'youtube' : 'youtube:tab';
}

/** Whether only YouTube's extractors are allowed, so that any other host is refused without asking yt-dlp. */
export function allowsOnlyYoutube(allowed: readonly string[] | '*'): boolean {
  return allowed !== '*' && allowed.every((site) => isSiteAllowed(site, ['youtube']));
}

/**
 * The value for yt-dlp's `--use-extractors`, allowing the same names as isSiteAllowed; null for all.
 * yt-dlp splits it on commas and full-matches each item as a case-insensitive regex against the
 * lowercased extractor names, a leading `-` excluding instead; an empty value means "default"
 * (everything), so an empty list becomes `-all`, which loads no extractor.
 */
export function ytdlpExtractorFilter(allowed: readonly string[] | '*'): string | null {
  if (allowed === '*') return null;
  if (allowed.length === 0) return '-all';
  return allowed.map((site) => `${escapeRegex(extractorName(site))}(?::.*)?`).join(',');
}

function extractorName(site: string): string {
  const name = site.trim().toLowerCase();
  if (name === '' || name.includes(',')) {
    throw new ConvertError('invalid_option', `"${site}" is not a yt-dlp extractor name.`);
  }
  return name;
}

/** Escapes Python `re` metacharacters; escaping `-` also keeps a name from reading as an exclusion. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}
