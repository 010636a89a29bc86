/**
 * The stand-in video site: a loopback HTTP server that behaves like YouTube for yt-dlp (through the
 * plugin in ./plugin) and for ytconv, with the catalog's faults on demand. Each test starts its own
 * site, so per-site state (flaky counters, the request log) never leaks between tests.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  DIRECT_FILES,
  DIRECT_TONE,
  type DirectFileName,
  defineVideo,
  PLAYLISTS,
  type PlaylistName,
  SITE_BLOCKS,
  type SiteBlock,
  VIDEOS,
  type Video,
} from './catalog.ts';
import { mediaUrl, type Served, watchUrl } from './info.ts';
import { garbageFile, type Itag, mediaFile } from './media.ts';
import { type Entry, route, type SiteState } from './routes.ts';

export interface RequestRecord {
  method: string;
  /** Path and query. */
  path: string;
  /** When it arrived (Date.now()). */
  at: number;
  /** The response status (200 until the response has started). */
  status: number;
  range?: string;
  /** The site's session cookie the request carried (see FLAGGED_SESSION), if any. */
  session?: string;
}

export interface LongVideo {
  name: string;
  seconds: number;
  title?: string;
  /** Media delivered at this rate, per request. */
  bytesPerSecond?: number;
}

/**
 * Names the site's origin to the plugin, which then answers YouTube's own watch links for the
 * site's videos (see StandInYouTubeIE). PYTHON-prefixed because ytconv passes its children only
 * such variables (CHILD_VARIABLES in src/config.ts).
 */
const YOUTUBE_ALIAS_VARIABLE = 'PYTHON_STANDIN_AS_YOUTUBE';

export interface Site {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Put on PYTHONPATH so that yt-dlp loads the stand-in extractors. */
  readonly pluginDir: string;
  /** Every request so far, oldest first. */
  readonly requests: readonly RequestRecord[];
  /** Bytes of media sent so far, whole or in part, over all requests. */
  readonly mediaBytesSent: number;
  /**
   * Variables for yt-dlp (with pluginDir on PYTHONPATH) to take youtubeUrl(name) from this site
   * instead of YouTube.
   */
  readonly youtubeAliasEnv: NodeJS.ProcessEnv;
  watchUrl(name: string): string;
  /** YouTube's canonical link for a video of this site: this site's only with youtubeAliasEnv. */
  youtubeUrl(name: string): string;
  playlistUrl(name: PlaylistName): string;
  fileUrl(name: DirectFileName): string;
  /** The local file served at fileUrl(name). */
  filePath(name: DirectFileName): string;
  redirectUrl(to: string): string;
  video(name: string): Video;
  /** Where the site serves `itag` of the video. */
  mediaUrl(name: string, itag: Itag): string;
  /** The local file served as `itag` of the video, to compare outputs with. */
  mediaPath(name: string, itag: Itag): string;
  /**
   * Answer every video's page with one failure from now on (the bot wall, a rate limit, a broken
   * extractor), as YouTube does to a whole server at once; null lifts it.
   */
  block(failure: SiteBlock | null): void;
  /** Register a video of any length (251 and 140), generated on first use and cached, for benchmarks. */
  addVideo(spec: LongVideo): Promise<Video>;
  close(): Promise<void>;
}

const PLUGIN_DIR = fileURLToPath(new URL('./plugin', import.meta.url));

export async function startSite(): Promise<Site> {
  const [entries, files] = await Promise.all([
    Promise.all(Object.entries(VIDEOS).map(([name, video]) => prepare(name, video))),
    prepareDirectFiles(),
  ]);
  const state: SiteState = {
    origin: '',
    byName: new Map(),
    byId: new Map(),
    files,
    mediaRequests: new Map(),
    mediaBytesSent: 0,
    blocked: null,
    log: [],
  };
  for (const entry of entries) register(state, entry);
  const server = createServer((req, res) => void route(state, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return site(server, state);
}

function site(server: Server, state: SiteState): Site {
  const entry = (name: string): Entry => {
    const found = state.byName.get(name);
    if (!found) throw new Error(`the stand-in site has no video named ${name}`);
    return found;
  };
  return {
    origin: state.origin,
    pluginDir: PLUGIN_DIR,
    get requests() {
      return state.log.map(({ res, range, ...rest }) => ({ ...rest, status: res.statusCode, ...(range && { range }) }));
    },
    get mediaBytesSent() {
      return state.mediaBytesSent;
    },
    youtubeAliasEnv: { [YOUTUBE_ALIAS_VARIABLE]: state.origin },
    watchUrl: (name) => watchUrl(state.origin, entry(name).video),
    youtubeUrl: (name) => `https://www.youtube.com/watch?v=${entry(name).video.id}`,
    playlistUrl: (name) => `${state.origin}/playlist?list=${PLAYLISTS[name].id}`,
    fileUrl: (name) => `${state.origin}/files/${name}`,
    filePath(name) {
      const path = state.files.get(name);
      if (!path) throw new Error(`the stand-in site has no file named ${name}`);
      return path;
    },
    redirectUrl: (to) => `${state.origin}/redirect?to=${encodeURIComponent(to)}`,
    video: (name) => entry(name).video,
    mediaUrl: (name, itag) => mediaUrl(state.origin, entry(name).video, itag),
    mediaPath(name, itag) {
      const served = entry(name).media.get(itag);
      if (!served) throw new Error(`the stand-in video ${name} has no format ${itag}`);
      return served.path;
    },
    block(failure) {
      state.blocked = failure === null ? null : SITE_BLOCKS[failure];
    },
    async addVideo({ name, seconds, title = `Long Tone (${seconds} s)`, bytesPerSecond }) {
      // A stable id per name, so repeated benchmark runs see the same URLs. Every video of a length
      // shares one tone, so its files are generated once for any number of names.
      const id = createHash('sha256').update(name).digest('base64url').slice(0, 11);
      const video = defineVideo({
        id,
        title,
        tone: { frequency: 330, seconds },
        itags: ['251', '140'],
        ...(bytesPerSecond !== undefined && { delivery: { kind: 'slow', bytesPerSecond } }),
      });
      register(state, await prepare(name, video));
      return video;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function register(state: SiteState, entry: Entry): void {
  state.byName.set(entry.name, entry);
  state.byId.set(entry.video.id, entry);
}

async function prepare(name: string, video: Video): Promise<Entry> {
  const { tone } = video;
  if (!tone) return { name, video, media: new Map(), thumbnail: null };
  const [thumbnail, media] = await Promise.all([
    mediaFile('thumbnail', tone),
    Promise.all(
      video.itags.map(async (itag): Promise<[Itag, Served]> => {
        // Garbage as large as a 128 kbit/s stream of that length would be.
        const path = video.corrupt ? await garbageFile(tone.seconds * 16_000) : await mediaFile(itag, tone);
        return [itag, { path, size: (await stat(path)).size }];
      }),
    ),
  ]);
  return { name, video, media: new Map(media), thumbnail };
}

async function prepareDirectFiles(): Promise<Map<string, string>> {
  const files = await Promise.all(
    Object.entries(DIRECT_FILES).map(async ([name, { kind }]) => [name, await mediaFile(kind, DIRECT_TONE)] as const),
  );
  return new Map(files);
}
