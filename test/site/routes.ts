/** The stand-in site's HTTP routes: YouTube-shaped pages, the plugin's JSON API, media with faults. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Blocked,
  type Delivery,
  DIRECT_FILES,
  type DirectFileName,
  FLAGGED_SESSION,
  PLAYLISTS,
  VIDEOS,
  type Video,
} from './catalog.ts';
import { FORMATS, type MediaSet, playlistInfo, videoInfo } from './info.ts';
import type { Itag } from './media.ts';
import { sendFile } from './serve.ts';
import { SPONSORBLOCK_PATH, skipSegments } from './sponsorblock.ts';

/** A catalog video with the files generated for it. */
export interface Entry {
  name: string;
  video: Video;
  media: MediaSet;
  thumbnail: string | null;
}

export interface SiteState {
  origin: string;
  byName: Map<string, Entry>;
  byId: Map<string, Entry>;
  /** Direct file name to local path. */
  files: Map<string, string>;
  /** Media requests seen per video id, for faults that depend on the attempt. */
  mediaRequests: Map<string, number>;
  /** Bytes of media (videos' formats and direct files) sent to clients so far. */
  mediaBytesSent: number;
  /** What every video's page answers while the whole site is switched into a failure (Site.block). */
  blocked: Blocked | null;
  /** Every request in arrival order, with its response, whose status is read when asked for. */
  log: { method: string; path: string; at: number; range?: string; session?: string; res: ServerResponse }[];
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  state: SiteState;
}

type Handler = (ctx: Ctx, params: string[]) => void | Promise<void>;

const ROUTES: readonly (readonly [RegExp, Handler])[] = [
  [/^\/watch$/, (c) => watchPage(c, c.url.searchParams.get('v'))],
  [/^\/shorts\/([\w-]+)$/, (c, [id]) => watchPage(c, id)],
  [/^\/playlist$/, playlistPage],
  [/^\/api\/videos\/([\w-]+)$/, videoApi],
  [/^\/api\/playlists\/([\w-]+)$/, playlistApi],
  [/^\/media\/([\w-]+)\/(\d+)$/, media],
  [/^\/vi\/([\w-]+)\/maxresdefault\.jpg$/, thumbnail],
  [/^\/files\/([^/]+)$/, directFile],
  [/^\/redirect$/, redirect],
  [SPONSORBLOCK_PATH, sponsorBlockApi],
];

export async function route(state: SiteState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const at = Date.now();
  const session = sessionCookie(req);
  const path = url.pathname + url.search;
  state.log.push({ method: req.method ?? 'GET', path, at, range: req.headers.range, ...(session && { session }), res });
  const ctx = { req, res, url, state };
  try {
    for (const [pattern, handler] of ROUTES) {
      const match = pattern.exec(url.pathname);
      if (match) return await handler(ctx, match.slice(1));
    }
    text(res, 404, 'Not found');
  } catch (err) {
    console.error('stand-in site:', err);
    if (!res.headersSent) text(res, 500, 'Internal error');
    else res.destroy();
  }
}

function watchPage({ res, state }: Ctx, id: string | null | undefined): void {
  const entry = state.byId.get(id ?? '');
  if (entry) html(res, 200, entry.video.title);
  else html(res, 404, 'Video unavailable');
}

function playlistPage({ res, url }: Ctx): void {
  const playlist = findPlaylist(url.searchParams.get('list'));
  if (playlist) html(res, 200, playlist.title);
  else html(res, 404, 'The playlist does not exist.');
}

/** The value of the site's session cookie in a request, if it has one. */
function sessionCookie(req: IncomingMessage): string | undefined {
  const pairs = (req.headers.cookie ?? '').split(';').map((pair) => pair.trim().split('='));
  return pairs.find(([name]) => name === FLAGGED_SESSION.cookie)?.[1];
}

// Like YouTube's player API, failures come back as 200 with a reason, for the plugin to raise.
// A session the site has flagged meets YouTube's bot wall on every video, as a real one would.
function videoApi({ req, res, state }: Ctx, [id]: string[]): void {
  const entry = state.byId.get(id ?? '');
  const blocked = state.blocked ?? entry?.video.blocked;
  if (sessionCookie(req)?.startsWith(FLAGGED_SESSION.prefix)) json(res, { error: VIDEOS.bot.blocked });
  else if (!entry) json(res, { error: { reason: 'unavailable', message: 'Video unavailable' } });
  else if (blocked) json(res, { error: blocked });
  else json(res, { video: videoInfo(state.origin, entry.video, entry.media) });
}

/** One page (`?page=N`, from 1) of a playlist's entries, and the number of the next page if any. */
function playlistApi({ res, state, url }: Ctx, [id]: string[]): void {
  const playlist = findPlaylist(id);
  if (!playlist) json(res, { error: { reason: 'unavailable', message: 'The playlist does not exist.' } });
  else {
    const videos = playlist.entries.flatMap((name) => state.byName.get(name)?.video ?? []);
    const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
    json(res, { playlist: playlistInfo(state.origin, playlist, videos, page) });
  }
}

async function media({ req, res, state }: Ctx, [id, itag]: string[]): Promise<void> {
  const entry = state.byId.get(id ?? '');
  const served = entry?.media.get(itag as Itag);
  if (!entry || !served) {
    text(res, 404, 'No such media');
    return;
  }
  const attempt = (state.mediaRequests.get(entry.video.id) ?? 0) + 1;
  state.mediaRequests.set(entry.video.id, attempt);
  const { delivery, size } = entry.video;
  const status = refusal(delivery, attempt);
  if (status) {
    text(res, status, 'Refused');
    return;
  }
  await sendFile(req, res, served.path, {
    contentType: FORMATS[itag as Itag].mime,
    hideSize: size === 'hidden',
    bytesPerSecond: delivery?.kind === 'slow' ? delivery.bytesPerSecond : undefined,
    cut: cutAfterHalf(delivery, attempt),
    onSent: countMedia(state),
  });
}

function cutAfterHalf(delivery: Delivery | undefined, attempt: number): 'drop' | 'stall' | undefined {
  if (delivery?.kind === 'stall') return 'stall';
  return delivery?.kind === 'drop' && attempt === 1 ? 'drop' : undefined;
}

/** The error status a media request gets instead of the media, if any. */
function refusal(delivery: Delivery | undefined, attempt: number): number | undefined {
  if (delivery?.kind === 'status') return delivery.status;
  if (delivery?.kind === 'flaky' && attempt <= delivery.failures) return 503;
  return undefined;
}

async function thumbnail({ req, res, state }: Ctx, [id]: string[]): Promise<void> {
  const entry = state.byId.get(id ?? '');
  const cut = entry?.video.thumbnailStalls ? 'stall' : undefined;
  if (entry?.thumbnail) await sendFile(req, res, entry.thumbnail, { contentType: 'image/jpeg', ...(cut && { cut }) });
  else text(res, 404, 'No thumbnail');
}

async function directFile({ req, res, state }: Ctx, [name]: string[]): Promise<void> {
  // Only DIRECT_FILES' names are in state.files.
  const path = state.files.get(name ?? '');
  const onSent = countMedia(state);
  if (path) await sendFile(req, res, path, { contentType: DIRECT_FILES[name as DirectFileName].mime, onSent });
  else text(res, 404, 'No such file');
}

function countMedia(state: SiteState): (bytes: number) => void {
  return (bytes) => {
    state.mediaBytesSent += bytes;
  };
}

function redirect({ res, url }: Ctx): void {
  const to = url.searchParams.get('to');
  if (to) res.writeHead(302, { Location: to, 'Content-Length': 0 }).end();
  else text(res, 400, 'to= is missing');
}

function sponsorBlockApi({ res, state, url }: Ctx, params: string[]): void {
  send(
    res,
    ...skipSegments(
      url,
      [...state.byId.values()].map((e) => e.video),
      params,
    ),
  );
}

function findPlaylist(id: string | null | undefined) {
  return Object.values(PLAYLISTS).find((p) => p.id === id);
}

function json(res: ServerResponse, body: unknown): void {
  send(res, 200, 'application/json', JSON.stringify(body));
}

function text(res: ServerResponse, status: number, body: string): void {
  send(res, status, 'text/plain; charset=utf-8', body);
}

function html(res: ServerResponse, status: number, title: string): void {
  const escaped = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>${escaped} - YouTube</title><meta property="og:title" content="${escaped}"></head><body><h1>${escaped}</h1></body></html>`;
  send(res, status, 'text/html; charset=utf-8', page);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) }).end(body);
}
