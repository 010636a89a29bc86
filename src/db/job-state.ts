/**
 * A job's state changes. Each is one conditional UPDATE that names the states it may start from,
 * so concurrent workers and requests cannot both win: the one whose UPDATE matched gets `true`,
 * everyone else `false` and nothing changes.
 *
 *   queued ──markRunning──▶ running ──finishJob──▶ done
 *                           (retakeJob)
 *     │                       │
 *     └──────────┬────────────┴──failJob──▶ failed
 *                └──cancelJob──▶ cancelled
 */
import type { UpdateObject } from 'kysely';
import type { ErrorCode } from '../errors.ts';
import type { Phase } from '../pipeline/types.ts';
import { type Database, type Db, inTransaction } from './database.ts';
import type { NewJobFileRow } from './tables/job-files.ts';
import type { EntryState, JobStatus, JobUpdate, Timestamp } from './tables/jobs.ts';

export type FileInput = Omit<NewJobFileRow, 'id' | 'job_id' | 'position'>;

export interface ProgressUpdate {
  phase: Phase;
  progress: number | null;
  eta: number | null;
  /** Playlists: every entry's state. */
  entries?: readonly EntryState[];
}

export interface SourceInfoUpdate {
  title: string;
  duration: number | null;
  thumbnail: string | null;
  source_site: string;
  source_id: string | null;
}

async function transition(
  db: Db,
  id: string,
  from: readonly JobStatus[],
  set: UpdateObject<Database, 'jobs'>,
): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set(set)
    .where('id', '=', id)
    .where('status', 'in', from)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Take a queued job for this worker; false when another took it first or it was cancelled. */
export function markRunning(db: Db, id: string, now: Timestamp = Date.now()): Promise<boolean> {
  return transition(db, id, ['queued'], {
    status: 'running',
    attempts: (eb) => eb('attempts', '+', 1),
    started_at: now,
    updated_at: now,
  });
}

/**
 * Take back a running job whose queue message came back to a worker (its worker died or shut
 * down, and BullMQ handed the message on). BullMQ's lock keeps the message with one worker at a
 * time, so this does not let two take it, unless a live worker lost its lock by stalling for
 * longer than the stall timeout.
 */
export function retakeJob(db: Db, id: string, now: Timestamp = Date.now()): Promise<boolean> {
  return transition(db, id, ['running'], {
    attempts: (eb) => eb('attempts', '+', 1),
    started_at: now,
    updated_at: now,
  });
}

/** Ignored (false) unless the job is running, so a late report cannot revive a finished job. */
export function updateProgress(db: Db, id: string, p: ProgressUpdate, now: Timestamp = Date.now()): Promise<boolean> {
  const set: UpdateObject<Database, 'jobs'> = { phase: p.phase, progress: p.progress, eta: p.eta, updated_at: now };
  if (p.entries) set.entries = JSON.stringify(p.entries);
  return transition(db, id, ['running'], set);
}

/** What the source turned out to be, once yt-dlp or ffprobe said. */
export function setSourceInfo(db: Db, id: string, info: SourceInfoUpdate, now: Timestamp = Date.now()) {
  return transition(db, id, ['running'], { ...info, updated_at: now });
}

/**
 * Mark a running job done and record its files, both or neither. The UPDATE comes first: on
 * SQLite it takes the write lock at once, so a busy database waits (busy_timeout) instead of
 * failing a read-then-write upgrade.
 */
export function finishJob(
  db: Db,
  id: string,
  files: readonly FileInput[],
  expiresAt: Timestamp,
  now: Timestamp = Date.now(),
  entries: readonly EntryState[] | null = null,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const set: JobUpdate = { status: 'done', phase: null, progress: 1, eta: null, finished_at: now, updated_at: now };
    if (entries) set.entries = JSON.stringify(entries);
    if (!(await transition(trx, id, ['running'], { ...set, expires_at: expiresAt }))) return false;
    if (files.length > 0) {
      await trx
        .insertInto('job_files')
        .values(files.map((file, position) => ({ ...file, job_id: id, position })))
        .execute();
    }
    return true;
  });
}

export function failJob(db: Db, id: string, code: ErrorCode, message: string, now: Timestamp = Date.now()) {
  return transition(db, id, ['queued', 'running'], {
    status: 'failed',
    error_code: code,
    error_message: message,
    eta: null,
    finished_at: now,
    updated_at: now,
  });
}

/** Why the job's email could not be sent, once its retries are used up. */
export async function recordEmailFailure(db: Db, id: string, message: string): Promise<void> {
  await db.updateTable('jobs').set({ email_error: message }).where('id', '=', id).execute();
}

export function cancelJob(db: Db, id: string, now: Timestamp = Date.now()): Promise<boolean> {
  return transition(db, id, ['queued', 'running'], {
    status: 'cancelled',
    eta: null,
    finished_at: now,
    updated_at: now,
  });
}
