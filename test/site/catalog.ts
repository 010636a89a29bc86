/**
 * What the stand-in site offers: videos, playlists and direct files, each named for the behaviour a
 * test needs. Ids look like YouTube's (11 characters of [A-Za-z0-9_-]) so that URL parsing is
 * exercised as for the real site.
 */
import type { Chapter } from '../../src/pipeline/types.ts';
import type { Itag, MediaKind, Tone } from './media.ts';

/**
 * Why extraction fails; the plugin turns each reason into the yt-dlp error YouTube's extractor
 * raises: `login` as a sign-in (yt-dlp adds how to pass cookies), `broken` as an error yt-dlp did
 * not expect (it adds "please report this issue"), any other as an expected error.
 */
export interface Blocked {
  reason: 'unavailable' | 'geo' | 'login' | 'ratelimit' | 'broken';
  /** YouTube's own wording (yt-dlp's, where its extractor rewrites it). */
  message: string;
}

/**
 * What the whole site answers for every video while it is switched into one of these (see
 * Site.block): the bot wall servers get, the rate limit of a guest session, and an extractor that
 * no longer understands the player's answer.
 */
export const SITE_BLOCKS = {
  botwall: { reason: 'login', message: 'Sign in to confirm you\u2019re not a bot. This helps protect our community.' },
  ratelimit: {
    reason: 'ratelimit',
    // As yt-dlp's YouTube extractor rewrites YouTube's "This content isn't available, try again later."
    message:
      "This content isn't available, try again later. The current session has been rate-limited by YouTube for up to an hour. It is recommended to use `-t sleep` to add a delay between video requests to avoid exceeding the rate limit. For more information, refer to  https://github.com/yt-dlp/yt-dlp/wiki/Extractors#this-content-isnt-available-try-again-later",
  },
  broken: { reason: 'broken', message: 'Failed to extract any player response' },
} as const satisfies Record<string, Blocked>;

export type SiteBlock = keyof typeof SITE_BLOCKS;

/** How media requests misbehave. */
export type Delivery =
  | { kind: 'status'; status: 403 | 404 }
  /** 503 for the first `failures` media requests of this video, then normal service. */
  | { kind: 'flaky'; failures: number }
  /** The first media request gets half its bytes, then the connection is destroyed. */
  | { kind: 'drop' }
  /** Every media request gets half its bytes, then the connection stays open and silent. */
  | { kind: 'stall' }
  | { kind: 'slow'; bytesPerSecond: number };

export interface Video {
  id: string;
  title: string;
  description: string;
  uploader: string;
  /** YYYYMMDD, as yt-dlp reports it. */
  uploadDate: string;
  /** Seconds, as the metadata says; the media really lasts `tone.seconds`. */
  duration: number;
  /** What the media files contain; null when there is nothing to serve. */
  tone: Tone | null;
  itags: readonly Itag[];
  chapters: readonly Chapter[];
  /** YouTube Music's fields, as yt-dlp names them: `artists` (since 2024) or the older comma-joined `artist`. */
  music?: { artists?: string[]; artist?: string; track: string; album: string };
  /** YouTube Music's "Released on" (YYYYMMDD) or only its year. */
  released?: { release_date: string } | { release_year: number };
  blocked?: Blocked;
  delivery?: Delivery;
  /** 'hidden': no filesize in metadata and no Content-Length; a number: the filesize claimed. */
  size?: 'hidden' | number;
  /** The media files are garbage bytes of a plausible size. */
  corrupt?: boolean;
  /** The thumbnail sends half its bytes, then the connection stays open and silent. */
  thumbnailStalls?: boolean;
  /**
   * Segments the site's SponsorBlock-like API knows for this video (routes.ts). Such a video says it
   * is YouTube's (`extractor_key`), since yt-dlp asks SponsorBlock only about YouTube's videos.
   */
  sponsorSegments?: readonly SponsorSegment[];
}

/** A SponsorBlock segment, in seconds of the source. */
export interface SponsorSegment {
  category: string;
  start: number;
  end: number;
}

/**
 * Segments at times that are whole numbers of samples at 44.1 and 48 kHz, silent in the media so
 * that a test finds where they went; `filler` is one that ytconv does not ask for by default.
 */
const SPONSORED: readonly SponsorSegment[] = [
  { category: 'intro', start: 0, end: 1.5 },
  { category: 'sponsor', start: 3.25, end: 5.5 },
  { category: 'selfpromo', start: 8, end: 9.25 },
  // Not within a second of the end: yt-dlp would stretch it to the end.
  { category: 'filler', start: 10, end: 10.5 },
];

/**
 * The site's session cookie. A value that starts with `prefix` is a session the site has flagged:
 * its every video request meets YouTube's bot wall (what a cookies pool member that YouTube no
 * longer trusts gets).
 */
export const FLAGGED_SESSION = { cookie: 'standin_session', prefix: 'flagged' } as const;

export const CHANNEL = { name: 'Stand-in Channel', handle: '@StandInChannel', id: 'UCStandInChannel00000000' };

const AUDIO: readonly Itag[] = ['251', '140'];

/** Audio formats whose delivery stalls half-way (see Delivery). */
const STALLS = { itags: AUDIO, delivery: { kind: 'stall' } } as const;

/** A video with the catalog's defaults for whatever `fields` leaves out. */
export function defineVideo(fields: Pick<Video, 'id' | 'title' | 'tone'> & Partial<Video>): Video {
  return {
    description: `${fields.title}: a stand-in video for ytconv's tests.`,
    uploader: CHANNEL.name,
    uploadDate: '20240131',
    duration: fields.tone?.seconds ?? 0,
    itags: ['251', '140', '18'],
    chapters: [],
    ...fields,
  };
}

/** A video that cannot be extracted; its title is what a playlist still shows for it. */
function blocked(id: string, title: string, reason: Blocked['reason'], message: string): Video {
  return defineVideo({ id, title, tone: null, itags: [], blocked: { reason, message } });
}

export const VIDEOS = {
  basic: defineVideo({
    id: 'BasicVid_01',
    title: 'Test Artist - Sine Song',
    tone: { frequency: 440, seconds: 12 },
    chapters: [
      { start: 0, end: 4, title: 'Intro' },
      { start: 4, end: 8.5, title: 'Middle' },
      { start: 8.5, end: 12, title: 'Outro' },
    ],
  }),
  plain: defineVideo({ id: 'PlainVid_02', title: 'Plain Tone Video', tone: { frequency: 550, seconds: 6 } }),
  second: defineVideo({ id: 'SecondVd_03', title: 'Second Tone', tone: { frequency: 660, seconds: 5 } }),
  music: defineVideo({
    id: 'MusicVid_04',
    title: 'Music Track',
    tone: { frequency: 770, seconds: 5 },
    music: { artist: 'Music Artist', track: 'Music Track', album: 'Music Album' },
  }),
  private: blocked(
    'Private_005',
    '[Private video]',
    'unavailable',
    "Private video. Sign in if you've been granted access to this video",
  ),
  removed: blocked(
    'Removed_006',
    '[Deleted video]',
    'unavailable',
    'Video unavailable. This video has been removed by the uploader',
  ),
  geo: blocked('GeoBlock007', 'Geo Blocked', 'geo', 'The uploader has not made this video available in your country'),
  agegate: blocked(
    'AgeGate_008',
    'Age Gated',
    'login',
    'Sign in to confirm your age. This video may be inappropriate for some users.',
  ),
  bot: defineVideo({ id: 'BotCheck009', title: 'Bot Check', tone: null, itags: [], blocked: SITE_BLOCKS.botwall }),
  ratelimited: defineVideo({
    id: 'RateLimit23',
    title: 'Rate Limited',
    tone: null,
    itags: [],
    blocked: SITE_BLOCKS.ratelimit,
  }),
  broken: defineVideo({
    id: 'BrokenXtr24',
    title: 'Broken Extractor',
    tone: null,
    itags: [],
    blocked: SITE_BLOCKS.broken,
  }),
  media403: defineVideo({
    id: 'Media403_10',
    title: 'Forbidden Media',
    tone: { frequency: 880, seconds: 4 },
    itags: AUDIO,
    delivery: { kind: 'status', status: 403 },
  }),
  media404: defineVideo({
    id: 'Media404_11',
    title: 'Missing Media',
    tone: { frequency: 990, seconds: 4 },
    itags: AUDIO,
    delivery: { kind: 'status', status: 404 },
  }),
  flaky: defineVideo({
    id: 'FlakyVid_12',
    title: 'Flaky Media',
    tone: { frequency: 1100, seconds: 4 },
    itags: AUDIO,
    delivery: { kind: 'flaky', failures: 2 },
  }),
  drop: defineVideo({
    id: 'DropConn_13',
    title: 'Dropped Connection',
    tone: { frequency: 1210, seconds: 4 },
    itags: AUDIO,
    delivery: { kind: 'drop' },
  }),
  slow: defineVideo({
    id: 'SlowVid__14',
    title: 'Slow Delivery',
    tone: { frequency: 1320, seconds: 30 },
    itags: AUDIO,
    delivery: { kind: 'slow', bytesPerSecond: 100_000 },
  }),
  noaudio: defineVideo({
    id: 'NoAudio__15',
    title: 'Silent Film',
    tone: { frequency: 1430, seconds: 4 },
    itags: ['160'],
  }),
  corrupt: defineVideo({
    id: 'Corrupt__16',
    title: 'Corrupt Media',
    tone: { frequency: 1540, seconds: 4 },
    itags: ['251'],
    corrupt: true,
  }),
  long: defineVideo({
    id: 'LongVid__17',
    title: 'Four Hour Loop',
    tone: { frequency: 1650, seconds: 3 },
    duration: 4 * 3600,
    itags: AUDIO,
  }),
  big: defineVideo({
    id: 'BigFile__18',
    title: 'Huge File',
    tone: { frequency: 1760, seconds: 3 },
    itags: AUDIO,
    size: 5_000_000_000,
  }),
  nosize: defineVideo({
    id: 'NoSize___19',
    title: 'Unknown Size',
    tone: { frequency: 1870, seconds: 5 },
    itags: AUDIO,
    size: 'hidden',
  }),
  stall: defineVideo({
    id: 'StallVid_21',
    title: 'Stalled Delivery',
    tone: { frequency: 2090, seconds: 4 },
    ...STALLS,
  }),
  // Long enough to be encoded in segments (12 s), and stalling like the one above.
  stalllong: defineVideo({
    id: 'StallLong25',
    title: 'Stalled Long',
    tone: { frequency: 2750, seconds: 12 },
    ...STALLS,
  }),
  slowcover: defineVideo({
    id: 'SlowCover22',
    title: 'Stalled Thumbnail',
    tone: { frequency: 2200, seconds: 3 },
    itags: AUDIO,
    thumbnailStalls: true,
  }),
  // Megabytes of media, far more than a pipe holds: a consumer that stops reading early blocks yt-dlp.
  lengthy: defineVideo({
    id: 'Lengthy__20',
    title: 'Four Minute Tone',
    tone: { frequency: 1980, seconds: 240 },
    itags: AUDIO,
  }),
  // YouTube Music: released years before its upload, by two artists, as yt-dlp since 2024 lists them.
  duet: defineVideo({
    id: 'DuetSong_23',
    title: 'Artist One & Artist Two - Duet Song (Official Audio)',
    tone: { frequency: 2310, seconds: 4 },
    itags: AUDIO,
    music: { artists: ['Artist One', 'Artist Two'], track: 'Duet Song', album: 'Duet Album' },
    released: { release_date: '20190315' },
  }),
  // An auto-generated "Artist - Topic" channel: the title is the track's, " - " and all; only a year is known.
  topic: defineVideo({
    id: 'TopicSong24',
    title: 'Topic Song - 2011 Remaster',
    uploader: 'Topic Artist - Topic',
    tone: { frequency: 2420, seconds: 3, gainDb: -10 },
    itags: AUDIO,
    released: { release_year: 2011 },
  }),
  // Older yt-dlp's one field for several artists, joined with ", ".
  legacy: defineVideo({
    id: 'LegacyArt25',
    title: 'Legacy Duet',
    tone: { frequency: 2530, seconds: 3 },
    itags: AUDIO,
    music: { artist: 'Old One, Old Two', track: 'Legacy Duet', album: 'Legacy Album' },
  }),
  // The site says a minute, the media stops after 20 s: a stream cut off at the source.
  cutshort: defineVideo({
    id: 'CutShort_24',
    title: 'Cut Short',
    tone: { frequency: 2640, seconds: 20 },
    duration: 60,
    itags: AUDIO,
  }),
  // Segments in the SponsorBlock-like API, across its chapters' boundaries.
  sponsored: defineVideo({
    id: 'Sponsored26',
    title: 'Sponsored Talk',
    tone: { frequency: 2860, seconds: 12, silences: SPONSORED.map((s) => [s.start, s.end] as const) },
    itags: AUDIO,
    chapters: [
      { start: 0, end: 4, title: 'Opening' },
      { start: 4, end: 7, title: 'Main Part' },
      { start: 7, end: 12, title: 'Closing' },
    ],
    sponsorSegments: SPONSORED,
  }),
  // A title with double quotes, which the names people see keep (and names on disk cannot).
  quoted: defineVideo({ id: 'QuotedVd_22', title: 'Say "Hi"', tone: { frequency: 1210, seconds: 3 }, itags: AUDIO }),
} satisfies Record<string, Video>;

export type VideoName = keyof typeof VIDEOS;

export interface Playlist {
  id: string;
  title: string;
  uploader: string;
  entries: readonly VideoName[];
}

export const PLAYLISTS = {
  mix: {
    id: 'PLStandInMix0000000000000000000001',
    title: 'Stand-in Mix',
    uploader: CHANNEL.name,
    entries: ['basic', 'plain', 'second'],
  },
  withbad: {
    id: 'PLStandInWithBad000000000000000002',
    title: 'Stand-in Mix With A Private Video',
    uploader: CHANNEL.name,
    entries: ['plain', 'private', 'second'],
  },
  // The same video twice: entries are told apart by position, not by URL.
  twice: {
    id: 'PLStandInTwice00000000000000000004',
    title: 'Stand-in Mix With A Repeat',
    uploader: CHANNEL.name,
    entries: ['plain', 'second', 'plain'],
  },
  // A quick entry, then one slow enough to cancel the playlist while it runs.
  withslow: {
    id: 'PLStandInWithSlow00000000000000005',
    title: 'Stand-in Mix With A Slow Video',
    uploader: CHANNEL.name,
    entries: ['plain', 'slow', 'second'],
  },
  // Quotes in the playlist's title (the ZIP's name) and an entry's (a file's name).
  quoted: {
    id: 'PLStandInQuoted0000000000000000006',
    title: 'Songs "Quoted"',
    uploader: CHANNEL.name,
    entries: ['quoted', 'second'],
  },
  // Entries by different artists (one a Topic channel's), of different loudness.
  artists: {
    id: 'PLStandInArtists000000000000000007',
    title: 'Stand-in Various',
    uploader: CHANNEL.name,
    entries: ['duet', 'topic'],
  },
  // Like a channel's uploads: listed page by page, so a consumer that wants only the first few
  // entries fetches only the first page.
  huge: {
    id: 'PLStandInHuge00000000000000000003',
    title: 'Stand-in Channel Uploads',
    uploader: CHANNEL.name,
    entries: Array.from({ length: 60 }, (_, i) => (['plain', 'second', 'music'] as const)[i % 3] ?? 'plain'),
  },
} satisfies Record<string, Playlist>;

/** Entries per page of the playlist API, like YouTube's continuation pages. */
export const PLAYLIST_PAGE_SIZE = 10;

export type PlaylistName = keyof typeof PLAYLISTS;

/** Files served as plain downloads, for yt-dlp's generic extractor. */
export const DIRECT_FILES = {
  'tone.mp3': { kind: 'mp3', mime: 'audio/mpeg' },
  'tone-moov-at-end.m4a': { kind: 'm4a-moov-at-end', mime: 'audio/mp4' },
  'tone.ogg': { kind: 'ogg', mime: 'audio/ogg' },
  // yt-dlp's generic extractor names these formats after the extension, which its format
  // selector reads as "the best pre-merged webm/mp4", not as an id.
  'tone.webm': { kind: '251', mime: 'audio/webm' },
  'tone-audio-only.mp4': { kind: 'mp4-audio', mime: 'audio/mp4' },
} as const satisfies Record<string, { kind: MediaKind; mime: string }>;

export type DirectFileName = keyof typeof DIRECT_FILES;

export const DIRECT_TONE: Tone = { frequency: 1000, seconds: 4 };
