/**
 * The service's vocabulary, shared by the web layer and the workers: a job as the API shows it,
 * what a request asks for, and the operations the web layer may call (it never touches the
 * pipeline, the queue or the database directly).
 */
import type { JobOptions, JobStatus } from '../db/tables/conversions.ts';
import type { ErrorCode } from '../errors.ts';
import type { AudioFormat, Phase } from '../pipeline/types.ts';

export { JOB_STATUSES, type JobOptions, type JobStatus } from '../db/tables/conversions.ts';

export interface JobFileView {
  name: string;
  size: number;
  duration: number;
  format: AudioFormat;
  bitrate: number;
  /** Download URL, relative to the site. */
  url: string;
}

export interface EntryView {
  title: string | null;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: number | null;
  error: { code: ErrorCode; message: string } | null;
}

/** A job exactly as `GET /api/jobs/{id}` returns it. */
export interface JobView {
  id: string;
  status: JobStatus;
  phase: Phase | null;
  progress: number | null;
  eta: number | null;
  title: string | null;
  duration: number | null;
  /** The source's thumbnail on the video site, for API clients; the page never loads it. */
  thumbnail: string | null;
  /** Our own URL of the square cover, relative to the site, once the worker has made it. */
  cover: string | null;
  error: { code: ErrorCode; message: string } | null;
  source: { site: string | null; id: string | null; url: string };
  options: JobOptions;
  files: JobFileView[];
  /** Playlists only: one row per entry, with its own status and progress. */
  entries?: EntryView[];
  created_at: string;
  expires_at: string | null;
  expired: boolean;
}

/** What a client asks for: a link or an uploaded file, with options as the API names them. */
export interface NewJob {
  url?: string;
  upload?: { path: string; filename: string };
  format?: string;
  quality?: string;
  /** Seconds, or text such as `1:30`. */
  start?: number | string;
  end?: number | string;
  split_chapters?: boolean;
  normalize?: boolean;
  email?: string;
}

/** A produced file on disk, for downloads. */
export interface StoredFile {
  path: string;
  name: string;
  size: number;
  format: AudioFormat;
}

/** A job's cover on disk, for its route; `version` is the last part of its URL. */
export interface StoredCover {
  path: string;
  version: string;
}

/** What the web layer may do with jobs. Refusals are ConvertErrors with 4xx/5xx codes. */
export interface JobsApi {
  /**
   * `admit` runs once the request has passed every check, just before a job is made: the web
   * layer counts it against the client's limit there (and refuses by throwing).
   */
  create(request: NewJob, admit?: () => Promise<void>): Promise<JobView>;
  get(id: string): Promise<JobView | null>;
  cancel(id: string): Promise<JobView | null>;
  /** Call `onChange` whenever the job may have changed (progress, status); returns an unsubscribe. */
  watch(id: string, onChange: () => void): () => void;
  files(id: string): Promise<StoredFile[]>;
  /** The cover its `cover` URL names, or null when it shows none. */
  cover(id: string): Promise<StoredCover | null>;
}
