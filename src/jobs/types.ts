/**
 * The service's vocabulary, shared by the web layer and the workers: a job as the API shows it,
 * what a request asks for, and the operations the web layer may call (it never touches the
 * pipeline, the queue or the database directly).
 */
import { z } from 'zod';
import type { EntryStatus, JobOptions, JobPhase, JobStatus, ParkCause } from '../db/tables/conversions.ts';
import type { ErrorCode } from '../errors.ts';
import type { OptionFields } from '../options.ts';
import type { AudioFormat, SponsorBlockOutcome, Truncation } from '../pipeline/types.ts';

export {
  ENTRY_STATUSES,
  JOB_STATUSES,
  type JobOptions,
  type JobStatus,
  PARK_CAUSES,
  type ParkCause,
} from '../db/tables/conversions.ts';

export interface JobFileView {
  name: string;
  size: number;
  duration: number;
  format: AudioFormat;
  bitrate: number;
  /** Download URL, relative to the site. */
  url: string;
  /** The source ended early (a cut-off upload): the file holds its audio up to `at` of the `of` seconds it declared. */
  truncated: Truncation | null;
  /** A split by chapters was asked, but the media had none: the file is the whole. */
  unsplit: boolean;
  /** What SponsorBlock removed or marked, or why it could not; null when not asked. */
  sponsorblock: SponsorBlockOutcome | null;
}

/** One playlist entry, by position: what it is, how it went, and the files it gave this job. */
export interface EntryView {
  title: string | null;
  /** 1-based place in the playlist: entries chosen with `items` keep theirs. */
  position: number;
  status: EntryStatus;
  /** 0..1 of this entry while it runs (never decreasing), 1 when done. */
  progress: number | null;
  /** Why it failed, or why it was skipped when the playlist stopped for a reason of its own. */
  error: { code: ErrorCode; message: string } | null;
  files: JobFileView[];
}

/** A job exactly as `GET /api/jobs/{id}` returns it. */
export interface JobView {
  id: string;
  status: JobStatus;
  /** The phase now running (a playlist's: its running entry's); `resuming` while a retake catches up. */
  phase: JobPhase | null;
  /** 0..1 of the whole job (a playlist: of all its entries), never decreasing while it runs. */
  progress: number | null;
  /** Seconds left for the whole job, from its overall pace. */
  eta: number | null;
  title: string | null;
  duration: number | null;
  /** The source's thumbnail on the video site, for API clients; the page never loads it. */
  thumbnail: string | null;
  /** Our own URL of the square cover, relative to the site, once the worker has made it. */
  cover: string | null;
  error: { code: ErrorCode; message: string } | null;
  /**
   * Why a queued job waits for its site rather than for a worker (src/jobs/parking.ts): our
   * sentence, and when it is expected to start (ISO), null when that waits for a yt-dlp update.
   */
  waiting: { cause: ParkCause; message: string; until: string | null } | null;
  source: { site: string | null; id: string | null; url: string };
  options: JobOptions;
  files: JobFileView[];
  /** Playlists only: one row per entry, with its own status and progress. */
  entries?: EntryView[];
  created_at: string;
  expires_at: string | null;
  expired: boolean;
}

/** What a client asks for: a link or an uploaded file, with the option fields of src/options.ts. */
export type NewJob = OptionFields & {
  url?: string;
  upload?: { path: string; filename: string };
  email?: string | null;
  /** Called with a signed JSON body when the job ends done or failed (src/jobs/webhooks.ts). */
  webhook_url?: string | null;
};

/** Several links with the same options: a list, or pasted text with links in it (src/jobs/links.ts). */
export type NewBatch = OptionFields & {
  urls?: string[];
  text?: string;
  email?: string | null;
  webhook_url?: string | null;
};

/** The jobs made, in the order of their links, and the links refused, each with why. */
export interface BatchResult {
  jobs: JobView[];
  refused: { url: string; error: { code: ErrorCode; message: string; field?: string } }[];
}

/** A quick look at a link before converting it (`GET /api/inspect`): what it is, and a playlist's entries. */
export interface LinkQuery {
  url: string;
  /** A selection in yt-dlp's `-I` syntax: the entries it picks are the `chosen` ones (all without it). */
  items?: string;
}

const previewEntrySchema = z.object({
  /** 1-based place in the playlist, as `items` counts. */
  position: z.number().int().min(1),
  title: z.string().nullable(),
  /** Seconds, when the site's listing gives it. */
  duration: z.number().nullable(),
  /** Whether the request's `items` picks it. */
  chosen: z.boolean(),
});

export const linkPreviewSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('media'), title: z.string(), duration: z.number().nullable() }),
  z.object({
    kind: z.literal('playlist'),
    title: z.string(),
    count: z.number().int().min(0),
    entries: z.array(previewEntrySchema),
  }),
]);

export type LinkPreview = z.infer<typeof linkPreviewSchema>;

/** A produced file on disk, for downloads. */
export interface StoredFile {
  path: string;
  name: string;
  size: number;
  format: AudioFormat;
  /** Seconds; title and artist as tagged (null in files older than their columns): for a playlist's M3U8. */
  duration: number;
  title: string | null;
  artist: string | null;
}

/** A job's cover on disk, for its route; `version` is the last part of its URL. */
export interface StoredCover {
  path: string;
  version: string;
}

/** Most jobs one `list` may name: enough for a person's recent jobs, not a way to sweep the table. */
export const MAX_LISTED_JOBS = 50;

/** What the web layer may do with jobs. Refusals are ConvertErrors with 4xx/5xx codes. */
export interface JobsApi {
  /**
   * `admit` runs once the request has passed every check, just before a job is made: the web
   * layer counts it against the client's limit there (and refuses by throwing).
   */
  create(request: NewJob, admit?: () => Promise<void>): Promise<JobView>;
  /** A job per link (src/jobs/batch.ts); `admit` runs before each, as for `create`. */
  createMany(batch: NewBatch, admit?: () => Promise<void>): Promise<BatchResult>;
  get(id: string): Promise<JobView | null>;
  /**
   * The jobs of these ids (at most MAX_LISTED_JOBS, else `invalid_option`), in the order given,
   * each once; unknown ids are left out. Ids are the capability: there is no listing without them.
   */
  list(ids: readonly string[]): Promise<JobView[]>;
  cancel(id: string): Promise<JobView | null>;
  /**
   * What a link is, from a quick extract (a playlist listed flat), checked at the door like a new
   * job's link; nothing is made. `signal` ends the extract early (the client went away).
   */
  inspect(query: LinkQuery, signal?: AbortSignal): Promise<LinkPreview>;
  /** Call `onChange` whenever the job may have changed (progress, status); returns an unsubscribe. */
  watch(id: string, onChange: () => void): () => void;
  /** What a download of the job needs, read at once; null for an unknown job. */
  downloads(id: string): Promise<Downloads | null>;
  /** The same for several jobs (as `list` takes them: unknown ids left out, the order kept). */
  downloadsOfMany(ids: readonly string[]): Promise<Downloads[]>;
}

export interface Downloads {
  job: JobView;
  /** The files the job's view lists (a playlist's finished entries even when it did not end done). */
  files: StoredFile[];
  /** The cover its `cover` URL names, or null when it shows none. */
  cover: StoredCover | null;
}
