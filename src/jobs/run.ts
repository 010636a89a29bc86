/**
 * A worker's side of one job: take it, run the pipeline, record the outcome. Progress goes to
 * the database at most once a second; a write that finds the job no longer running means it was
 * cancelled, and the conversion is stopped.
 */
import { readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { failJob, finishJob, markRunning, retakeJob, setSourceInfo, updateProgress } from '../db/job-state.ts';
import { getJob, type Job } from '../db/jobs.ts';
import type { EntryState } from '../db/tables/jobs.ts';
import { asConvertError, ConvertError } from '../errors.ts';
import { type ConvertResult, convert, type SourceInfo } from '../pipeline/convert.ts';
import { parseSource } from '../pipeline/sources.ts';
import type { Engine, Progress, Source } from '../pipeline/types.ts';
import type { Storage } from '../storage.ts';
import { PlaylistEntries } from './entries.ts';
import { toConvertOptions } from './request.ts';
import { uploadDir } from './service.ts';

export interface RunDeps {
  db: Kysely<Database>;
  storage: Storage;
  engine: Engine;
  retentionSec: number;
  /** Queue the notification email for a finished job. */
  email(jobId: string, to: string): Promise<void>;
}

export interface RunControl {
  /** Aborted when this worker shuts down: the job is handed back, not failed. */
  signal: AbortSignal;
  /** Tell watchers the row changed. */
  notify(): Promise<void>;
}

export type Outcome = 'done' | 'failed' | 'cancelled' | 'skipped' | 'handed_back';

const WRITE_EVERY_MS = 1000;

export async function runJob(deps: RunDeps, jobId: string, ctl: RunControl): Promise<Outcome> {
  const job = await getJob(deps.db, jobId);
  // A cancelled or finished job whose message was still queued: nothing to do.
  const taken = job && ((await markRunning(deps.db, jobId)) || (await retakeJob(deps.db, jobId)));
  if (!taken) return 'skipped';
  await ctl.notify();
  const stop = new AbortController();
  const entries = new PlaylistEntries();
  const onShutdown = () => stop.abort();
  ctl.signal.addEventListener('abort', onShutdown, { once: true });
  try {
    const result = await convert(await sourceOf(deps.storage, job), toConvertOptions(job.options), {
      engine: deps.engine,
      outDir: deps.storage.jobDir(jobId),
      signal: stop.signal,
      onProgress: progressWriter(deps.db, jobId, stop, ctl.notify, entries),
      onInfo: (info) => {
        if (info.entries) entries.start(info.entries);
        // Best effort, like progress: a busy database or a Redis hiccup must not end the worker.
        recordInfo(deps.db, jobId, info)
          .then(ctl.notify)
          .catch(() => {});
      },
    });
    return await finish(deps, job, result, entries.finish(result.skipped));
  } catch (err) {
    if (ctl.signal.aborted) return 'handed_back';
    const e = asConvertError(err);
    if (e.code === 'cancelled') return 'cancelled';
    if (await failJob(deps.db, jobId, e.code, e.message)) await mailIfAsked(deps, job);
    return 'failed';
  } finally {
    ctl.signal.removeEventListener('abort', onShutdown);
    if (job.source_kind === 'upload' && !ctl.signal.aborted) {
      await rm(uploadDir(deps.storage, jobId), { recursive: true, force: true });
    }
  }
}

async function sourceOf(storage: Storage, job: Job): Promise<Source> {
  if (job.source_kind === 'url') return parseSource(job.source_url, { allowFiles: false });
  const dir = uploadDir(storage, job.id);
  const [name] = await readdir(dir).catch(() => []);
  if (name === undefined) throw new ConvertError('expired', 'The uploaded file is gone; upload it again.');
  return { kind: 'file', path: join(dir, name) };
}

async function finish(deps: RunDeps, job: Job, result: ConvertResult, entries: EntryState[] | null): Promise<Outcome> {
  const files = result.files.map((f) => ({
    name: basename(f.path),
    path: deps.storage.relative(f.path),
    size: f.size,
    duration: f.duration,
    format: f.format,
    bitrate: f.bitrate,
  }));
  const expiresAt = Date.now() + deps.retentionSec * 1000;
  if (!(await finishJob(deps.db, job.id, files, expiresAt, Date.now(), entries))) {
    // Cancelled while the last file was being written.
    await deps.storage.removeJob(job.id);
    return 'cancelled';
  }
  await mailIfAsked(deps, job);
  return 'done';
}

async function mailIfAsked(deps: RunDeps, job: Job): Promise<void> {
  if (job.email) await deps.email(job.id, job.email);
}

function recordInfo(db: Kysely<Database>, jobId: string, info: SourceInfo): Promise<boolean> {
  const { title, duration, thumbnail, id } = info;
  // The pipeline calls every local file a `file`; here those are uploads.
  const site = info.site === 'file' ? 'upload' : info.site;
  return setSourceInfo(db, jobId, { title, duration, thumbnail, source_site: site, source_id: id });
}

/**
 * Progress writes, one at a time and at most one a second. The newest report is kept and
 * written when the second is up, so pages still see a change every second; a refused write
 * means the job was cancelled.
 */
function progressWriter(
  db: Kysely<Database>,
  jobId: string,
  stop: AbortController,
  notify: () => Promise<void>,
  entries: PlaylistEntries,
) {
  let pending: Progress | null = null;
  let lastAt = 0;
  let lastPhase: string | null = null;
  let timer: NodeJS.Timeout | null = null;
  let writing = false;
  const write = (): void => {
    timer = null;
    if (writing || pending === null) return;
    const p = pending;
    pending = null;
    writing = true;
    lastAt = Date.now();
    lastPhase = p.phase;
    const list = entries.snapshot();
    updateProgress(db, jobId, { phase: p.phase, progress: p.fraction, eta: p.eta, ...(list && { entries: list }) })
      .then(async (running) => (running ? notify() : stop.abort()))
      .catch(() => {})
      .finally(() => {
        writing = false;
        if (pending !== null && timer === null) schedule();
      });
  };
  const schedule = (): void => {
    const wait = pending?.phase !== lastPhase ? 0 : Math.max(0, lastAt + WRITE_EVERY_MS - Date.now());
    timer = setTimeout(write, wait);
    timer.unref();
  };
  return (p: Progress): void => {
    entries.follow(p);
    pending = p;
    if (timer === null && !writing) schedule();
  };
}
