import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ErrorCode } from '../../errors.ts';
import type { Phase } from '../../pipeline/types.ts';

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const SOURCE_KINDS = ['url', 'upload'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** Conversion options (src/options.ts) are stored as JSON text in `conversions.options`. */
export type { JobOptions } from '../../options.ts';

/**
 * The phase a job shows: its worker's, or `resuming` while a retake (its first worker was killed
 * or shut down) redoes what the earlier take had done (src/jobs/progress.ts).
 */
export type JobPhase = Phase | 'resuming';

export const ENTRY_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled', 'skipped'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

/**
 * One playlist entry's state, by its position (the same video may appear twice); stored as a JSON
 * array in `conversions.entries`. Its files are the `conversion_files` rows with its position.
 */
export interface EntryState {
  title: string | null;
  /** 1-based place in the whole playlist (an entry selection converts some); absent in rows older than it. */
  position?: number;
  /**
   * failed: it could not be converted; cancelled: it was under way when the playlist was cancelled;
   * skipped: the playlist stopped before it began (or, failing as a whole, before it was done).
   */
  status: EntryStatus;
  error: { code: ErrorCode; message: string } | null;
  /** When it ended: a requester who cancelled keeps the entries done before their cancel. */
  finished_at: Timestamp | null;
}

/**
 * Why a conversion waits instead of having failed: the site limits this server for now
 * (`rate_limited`), showed it the bot wall (`bot_wall`), or yt-dlp cannot read the site until it
 * is updated (`extractor_broken`). src/jobs/parking.ts decides; a parked conversion is run again
 * once, when its site's pause lifts or yt-dlp changes.
 */
export const PARK_CAUSES = ['rate_limited', 'bot_wall', 'extractor_broken'] as const;
export type ParkCause = (typeof PARK_CAUSES)[number];

/** Milliseconds since the epoch (integer on SQLite, bigint on PostgreSQL). */
export type Timestamp = number;

/**
 * The work: one source converted with one set of options, done once however many people asked
 * for it (each request is a row in `jobs` pointing here). Workers write only this table.
 */
export interface ConversionsTable {
  /** Random base64url, 22 characters; never shown to people (they see their job's id). */
  id: string;
  status: JobStatus;
  phase: JobPhase | null;
  /** 0..1 of the whole work, the highest any take reached (src/jobs/progress.ts). */
  progress: number | null;
  /** Seconds left for the whole work. */
  eta: number | null;
  source_kind: SourceKind;
  /** Our site name (`youtube`), `upload`, or null until yt-dlp says. */
  source_site: string | null;
  source_id: string | null;
  /** The canonical URL, or the uploaded file's original name. */
  source_url: string;
  options: string;
  /** Equal for requests that must give the same files; null when never shared (uploads). */
  options_key: string | null;
  title: string | null;
  /** Seconds. */
  duration: number | null;
  /** The source's thumbnail URL, as the site gave it (never shown to a browser). */
  thumbnail: string | null;
  /**
   * The square cover the current take made, relative to the storage directory (beside its
   * files); null until it is made, and again when another take starts, the conversion fails or
   * its files expire.
   */
  cover: string | null;
  error_code: ErrorCode | null;
  error_message: string | null;
  /** Why the queued conversion waits (it was parked), until it is taken again; null otherwise. */
  park_cause: ParkCause | null;
  /** When it is expected to run again; null when that waits for an event (a yt-dlp update). */
  park_until: Timestamp | null;
  /** How often it was parked: once, then the same failure fails it for good. */
  parks: Generated<number>;
  /** How many times a worker took the conversion; bounded (YTCONV_MAX_ATTEMPTS). */
  attempts: Generated<number>;
  /**
   * The fencing token of the worker that holds the conversion: every write a worker makes
   * names it, so a worker that lost the conversion to another can change nothing.
   */
  take_token: string | null;
  /**
   * How many of its jobs still want it while queued or running. Kept on the row so that a
   * request joining and the last requester leaving are decided by one row lock (see jobs.ts).
   */
  active_jobs: number;
  /** Playlists only: EntryState[] as JSON text, written by the worker as each entry starts and ends. */
  entries: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  /** When the files go; set when the conversion is done, pushed back when it is reused. */
  expires_at: Timestamp | null;
}

export type ConversionRow = Selectable<ConversionsTable>;
export type NewConversionRow = Insertable<ConversionsTable>;
export type ConversionUpdate = Updateable<ConversionsTable>;
