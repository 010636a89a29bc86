/** The pipeline's own vocabulary: what goes in, what comes out, what it reports on the way. */
import type { ItemSelection } from './items.ts';

export const AUDIO_FORMATS = ['mp3', 'm4a', 'opus', 'ogg', 'flac', 'wav'] as const;
export type AudioFormat = (typeof AUDIO_FORMATS)[number];

/** Where the audio comes from, after checking and canonicalising the user's input. */
export type Source =
  | {
      kind: 'file';
      path: string;
      /** The name people know the file by, when it is stored under another (an upload); titles come from it. */
      name?: string;
    }
  | {
      kind: 'url';
      /** The URL as given (normalised: scheme added, whitespace trimmed). */
      url: string;
      /** Our site name when known from the URL alone (`youtube`), else null until yt-dlp says. */
      site: string | null;
      /** The site's id for the video or playlist, when known from the URL alone. */
      id: string | null;
      /** The one URL every spelling of this video maps to (YouTube: the watch URL). */
      canonicalUrl: string;
      /** For YouTube URLs: a video, a playlist (`list=` without `v=`) or a channel; other sites are unknown. */
      type: 'video' | 'playlist' | 'channel' | 'unknown';
    };

export interface ConvertOptions {
  format: AudioFormat;
  /** Bitrate such as `192k`, or for MP3 a VBR preset `V0`…`V9`; undefined = the format's default. */
  quality?: string;
  /** Trim, in seconds from the start of the source. */
  start?: number;
  end?: number;
  splitChapters: boolean;
  normalize: boolean;
  /** ReplayGain (Opus: R128) tags measured from the audio, which is left as it is: an alternative to `normalize`. */
  replaygain?: boolean;
  /** Playlists: the entries to convert (all when absent); single videos ignore it, as yt-dlp's `-I` does. */
  items?: ItemSelection;
  /** Remove or mark as chapters the video's SponsorBlock segments of these categories. */
  sponsorblock?: SponsorBlockRequest;
}

/** The categories yt-dlp can remove (its SponsorBlockPP.CATEGORIES less the unskippable ones), with their names. */
export const SPONSORBLOCK_CATEGORIES = {
  sponsor: 'Sponsor',
  intro: 'Intermission/Intro Animation',
  outro: 'Endcards/Credits',
  selfpromo: 'Unpaid/Self Promotion',
  preview: 'Preview/Recap',
  filler: 'Filler Tangent',
  interaction: 'Interaction Reminder',
  music_offtopic: 'Non-Music Section',
} as const;
export type SponsorCategory = keyof typeof SPONSORBLOCK_CATEGORIES;
export const SPONSOR_CATEGORY_IDS = Object.keys(SPONSORBLOCK_CATEGORIES) as [SponsorCategory, ...SponsorCategory[]];
export const DEFAULT_SPONSOR_CATEGORIES: readonly SponsorCategory[] = ['sponsor', 'selfpromo', 'intro'];

export const SPONSORBLOCK_ACTIONS = ['mark', 'remove'] as const;
export interface SponsorBlockRequest {
  action: (typeof SPONSORBLOCK_ACTIONS)[number];
  categories: readonly SponsorCategory[];
}

/** A segment, in seconds of the source. */
export interface SponsorSegment {
  start: number;
  end: number;
  category: SponsorCategory;
}

/**
 * What SponsorBlock did for an output: the segments it removed or marked (none when the API knows
 * of none), or why it could not be asked: the API failed (`unavailable`), or it knows only YouTube's
 * videos (`unsupported`). Either way the audio is all there.
 */
export type SponsorBlockOutcome =
  | { action: SponsorBlockRequest['action']; segments: SponsorSegment[] }
  | { action: SponsorBlockRequest['action']; skipped: 'unavailable' | 'unsupported' };

export interface Chapter {
  start: number;
  end: number;
  title: string;
}

export type Phase = 'probing' | 'downloading' | 'converting' | 'tagging';

export interface Progress {
  /** The phase now running (for a playlist: of the entry now running). */
  phase: Phase;
  /** 0..1 of the whole job (a playlist: of all its entries); never less than in an earlier event. */
  fraction: number;
  /** Seconds left for the whole job, from its overall pace; null until that can be told. */
  eta: number | null;
  /** For playlists: which entry (1-based) of how many, and 0..1 of that entry. */
  item?: { index: number; count: number; title?: string; fraction: number };
}

/** Where a source's audio really ended, in seconds, when that was before the length it declared. */
export interface Truncation {
  at: number;
  of: number;
}

export interface OutputFile {
  /** On disk: valid on every system (see filename.ts). */
  path: string;
  /** The file's name as people see it (a download's, a ZIP entry's): unlike the path's, it keeps `"`. */
  name: string;
  title: string;
  /** As tagged; null when nothing names one. */
  artist: string | null;
  /** Seconds: the encoded length, or as read from the produced file (see item.ts knownFacts). */
  duration: number;
  format: AudioFormat;
  /** Bits per second: fixed by the encode, or as read from the produced file. */
  bitrate: number;
  size: number;
  /** Set when the source ended early (a cut-off upload): the file holds only the audio there was. */
  truncated: Truncation | null;
  /** Set when a split by chapters was asked but the media had none (within the trim): the file is the whole. */
  unsplit: boolean;
  /** What SponsorBlock removed or marked in the item this file was made of; null when not asked. */
  sponsorblock: SponsorBlockOutcome | null;
}

/** The external programs and how to run them. */
export interface Tools {
  ffmpeg: string;
  ffprobe: string;
  ytdlp: string;
  /** The JavaScript runtime handed to yt-dlp for YouTube's challenges (the Node we run on). */
  node: string;
  /**
   * The environment every child process gets: an allow-list of the caller's (see config.ts), never
   * the whole of it, so that no secret reaches a downloader. Tests add the stand-in site's plugin.
   */
  env: Record<string, string | undefined>;
}

/** The outside world the pipeline needs, decided by whoever calls it (CLI or worker). */
export interface Engine {
  tools: Tools;
  policy: {
    /** yt-dlp extractor names allowed (`youtube` allows `youtube:*` too), or '*' for all. */
    allowedSites: readonly string[] | '*';
    allowPrivateAddresses: boolean;
    /** Which addresses count as private; tests declare one loopback address public. */
    isForbiddenAddress?: (ip: string) => boolean;
  };
  limits: {
    maxDurationSec: number;
    /** Bytes of media downloaded per item, or null for no limit. */
    maxDownloadBytes: number | null;
    /** Entries a playlist may have; a longer one is refused (and never listed whole). */
    maxPlaylistEntries: number;
    /** How long a download or an encode may go without progress before it is ended. */
    idleTimeoutSec: number;
  };
  /** One long MP3 encode spread over cores as parallel segments (split-plan.ts). */
  parallel: {
    /** Cores a conversion may use now: its own and those nothing else of this process holds. */
    cores(): number;
    /** Media shorter than this is encoded by one encoder. */
    minDurationSec: number;
  };
  /** The operator's cookies files (YTCONV_COOKIES_FILE, YTCONV_COOKIES_DIR): one is lent to each job. */
  cookies: CookiesPool | null;
  /** Proxies per site (YTCONV_PROXIES): yt-dlp goes through one of them, still behind the address guard. */
  proxies: ProxyPools | null;
  /** The operator's yt-dlp plugin folders and `--extractor-args` values; never anything from a request. */
  ytdlpExtras: YtdlpExtras;
  /** Where per-job temporary directories are made. */
  tmpDir: string;
  /** The SponsorBlock API yt-dlp asks for segments (YTCONV_SPONSORBLOCK_API). */
  sponsorBlockApi: string;
  /**
   * yt-dlp kept warm by the caller (a worker between jobs, the CLI for its run): a WarmYtdlp from
   * ytdlp-server.ts, named loosely because the browser's code reads this file too. Without it,
   * each yt-dlp call is a process of its own.
   */
  warmYtdlp?: object;
}

/** The proxies the jobs of each site take turns with: yt-dlp extractor names, and `*` for every other site. */
export type ProxyPools = Readonly<Record<string, readonly string[]>>;

export interface YtdlpExtras {
  /**
   * Folders of plugin packages, for `--plugin-dirs` (yt-dlp 2024.10.22 and later). Their packages
   * are on the children's PYTHONPATH too, where every yt-dlp since 2023.01.02 looks for plugins.
   */
  pluginDirs: readonly string[];
  /** One `--extractor-args` value per extractor: `youtubepot-bgutilhttp:base_url=http://127.0.0.1:4416`. */
  extractorArgs: readonly string[];
  /** yt-dlp's own spacing, as its `-t sleep` preset sets it (YTCONV_YTDLP_SLEEP_REQUESTS, YTCONV_YTDLP_SLEEP). */
  sleep: YtdlpSleep;
}

/** Seconds yt-dlp waits, by itself, so that a site sees fewer requests in a burst. */
export interface YtdlpSleep {
  /** Between the requests of one extraction (`--sleep-requests`); null: none. */
  requestsSec: number | null;
  /** Before each download, a random wait between `min` and `max` (`--sleep-interval`, `--max-sleep-interval`); null: none. */
  downloadSec: { min: number; max: number } | null;
}

/**
 * Which cookies file each job uses. The CLI keeps the pool in memory; workers keep it in the
 * database, so that every worker on every machine takes turns from the same pool.
 */
export interface CookiesPool {
  readonly files: readonly string[];
  /** How long a file that met the site's bot wall stays aside; null: until an operator puts it back. */
  readonly setAsideSec: number | null;
  /** The file for the next job: the least recently used that is not set aside; null when all are. */
  take(): Promise<string | null>;
  /** The site showed its bot wall to a job that used `file`: keep it out of use and tell the operator. */
  setAside(file: string): Promise<void>;
}
