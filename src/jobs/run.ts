/**
 * A worker's side of one conversion: take it (with a fencing token), run the pipeline, record
 * the outcome, tell every requester who asked for an email. Progress goes to the database at most
 * once a second; a write that is refused means the conversion was cancelled or another worker
 * holds it now, and the pipeline is stopped. A worker only ever removes what it made itself.
 */
import { copyFile, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Kysely } from 'kysely';
import {
  abandonConversion,
  failConversion,
  finishConversion,
  releaseConversion,
  setCover,
  setSourceInfo,
  type TakeRules,
  takeConversion,
  updateProgress,
} from '../db/conversion-state.ts';
import { type Conversion, getConversion, newId } from '../db/conversions.ts';
import type { Database } from '../db/database.ts';
import { jobIdsOf, jobsToNotify } from '../db/jobs.ts';
import type { EntryState } from '../db/tables/conversions.ts';
import { asConvertError, ConvertError } from '../errors.ts';
import { failureDetails, type Logger } from '../log.ts';
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
  /** Takes of one conversion allowed in all (each worker that died holding it used one). */
  maxAttempts: number;
  /** A worker silent this long has lost its conversions to other workers. */
  stallTimeoutMs: number;
  /** Queue the notification email for a finished job. */
  email(jobId: string, to: string): Promise<void>;
  /** Lines about this conversion (the caller names it). */
  log: Logger;
}

export interface RunControl {
  /** Aborted when this worker shuts down: the conversion is handed back, not failed. */
  signal: AbortSignal;
  /** Tell watchers the row changed. */
  notify(): Promise<void>;
}

export type Outcome = 'done' | 'failed' | 'cancelled' | 'skipped' | 'handed_back' | 'superseded';

const WRITE_EVERY_MS = 1000;
/** Audio files are named `<title>.<format>`, so this never takes one's name. */
const COVER_NAME = 'cover.jpg';

/** One take of a conversion by this worker. */
interface Take {
  deps: RunDeps;
  work: Conversion;
  token: string;
  /** This take's own output directory: nobody else writes there, so removing it is always safe. */
  outDir: string;
  /** Set when a write was refused: the conversion is no longer ours. */
  lost: AbortController;
}

export async function runConversion(deps: RunDeps, id: string, ctl: RunControl): Promise<Outcome> {
  const work = await getConversion(deps.db, id);
  if (!work || (work.status !== 'queued' && work.status !== 'running')) return 'skipped';
  const token = newId();
  const rules: TakeRules = { staleBefore: Date.now() - deps.stallTimeoutMs / 2, maxAttempts: deps.maxAttempts };
  if (!(await takeConversion(deps.db, id, token, rules))) return abandonIfExhausted(deps, work, rules);
  // Telling the pages is best effort: a Redis hiccup must not leave a taken conversion unrun.
  await ctl.notify().catch(() => {});
  const log = deps.log.child({ jobs: await jobIdsOf(deps.db, id) });
  log.info({ attempt: work.attempts + 1 }, 'taken');
  const take: Take = {
    deps: { ...deps, log },
    work,
    token,
    outDir: join(deps.storage.conversionDir(id), token),
    lost: new AbortController(),
  };
  const stop = AbortSignal.any([take.lost.signal, ctl.signal]);
  const entries = new PlaylistEntries();
  try {
    const result = await convert(await sourceOf(deps.storage, work), toConvertOptions(work.options), {
      engine: deps.engine,
      outDir: take.outDir,
      signal: stop,
      onProgress: progressWriter(take, ctl.notify, entries),
      onCover: coverKeeper(take, ctl.notify),
      onInfo: (info) => {
        if (info.entries) entries.start(info.entries);
        // Best effort, like progress: a busy database or a Redis hiccup must not end the worker.
        recordInfo(take, info)
          .then(ctl.notify)
          .catch(() => {});
      },
    });
    return logged(take, await finish(take, result, entries.finish(result.skipped)));
  } catch (err) {
    const outcome = await failed(take, err, ctl.signal);
    // Only a take that finishes keeps what it stored (its cover, so far).
    await rm(take.outDir, { recursive: true, force: true });
    return logged(take, outcome, err);
  }
}

/** One line per take's end; a failure with its causes and the failing tool's last stderr lines. */
function logged(take: Take, outcome: Outcome, err?: unknown): Outcome {
  const { log } = take.deps;
  if (outcome !== 'failed' || err === undefined) {
    log.info({ outcome }, outcome);
    return outcome;
  }
  const e = asConvertError(err);
  const line = { outcome, code: e.code, ...failureDetails(err) };
  if (e.code === 'internal') log.error(line, e.message);
  else log.info(line, e.message);
  return outcome;
}

/** Fail a conversion for good when nobody holds it and its attempts are used up; else skip it. */
export async function abandonIfExhausted(deps: RunDeps, work: Conversion, rules: TakeRules): Promise<Outcome> {
  if (work.attempts < rules.maxAttempts) return 'skipped';
  const error = new ConvertError(
    'interrupted',
    `The conversion was interrupted ${work.attempts} times (its worker stopped each time); ytconv gave up on it.`,
  );
  if (!(await abandonConversion(deps.db, work.id, rules, error))) return 'skipped';
  await ended(deps, work);
  return 'failed';
}

async function sourceOf(storage: Storage, work: Conversion): Promise<Source> {
  if (work.source_kind === 'url') return parseSource(work.source_url, { allowFiles: false });
  const dir = uploadDir(storage, work.id);
  const [name] = await readdir(dir).catch(() => []);
  if (name === undefined) throw new ConvertError('expired', 'The uploaded file is gone; upload it again.');
  return { kind: 'file', path: join(dir, name) };
}

async function finish(take: Take, result: ConvertResult, entries: EntryState[] | null): Promise<Outcome> {
  const { deps } = take;
  const files = result.files.map((f) => ({
    name: basename(f.path),
    path: deps.storage.relative(f.path),
    size: f.size,
    duration: f.duration,
    format: f.format,
    bitrate: f.bitrate,
  }));
  const expiresAt = Date.now() + deps.retentionSec * 1000;
  if (!(await finishConversion(deps.db, take.work.id, take.token, { files, expiresAt, entries }))) {
    // Cancelled, or another worker holds it now, while the last file was being written.
    await rm(take.outDir, { recursive: true, force: true });
    return whyLost(take);
  }
  await ended(deps, take.work);
  return 'done';
}

async function failed(take: Take, err: unknown, shutdown: AbortSignal): Promise<Outcome> {
  const { deps, work, token } = take;
  if (shutdown.aborted) {
    await releaseConversion(deps.db, work.id, token);
    return 'handed_back';
  }
  if (take.lost.signal.aborted) return whyLost(take);
  const e = asConvertError(err);
  if (!(await failConversion(deps.db, work.id, token, e))) return whyLost(take);
  await ended(deps, work);
  return 'failed';
}

async function whyLost(take: Take): Promise<Outcome> {
  const now = await getConversion(take.deps.db, take.work.id);
  return now?.status === 'cancelled' ? 'cancelled' : 'superseded';
}

/** The conversion ended (done or failed): its upload goes, and every requester who asked is mailed. */
async function ended(deps: RunDeps, work: Conversion): Promise<void> {
  if (work.source_kind === 'upload') await rm(uploadDir(deps.storage, work.id), { recursive: true, force: true });
  for (const job of await jobsToNotify(deps.db, work.id)) await deps.email(job.id, job.email);
}

/**
 * The first cover the pipeline makes (a playlist's first entry's) is the job's: stored beside this
 * take's files, under a temporary name first, then recorded, fenced like every write.
 */
function coverKeeper(take: Take, notify: () => Promise<void>) {
  const { db, storage, log } = take.deps;
  let kept = false;
  return async (made: string): Promise<void> => {
    if (kept) return;
    kept = true;
    const path = join(take.outDir, COVER_NAME);
    try {
      await mkdir(take.outDir, { recursive: true });
      await copyFile(made, `${path}.partial`);
      await rename(`${path}.partial`, path);
    } catch (err) {
      log.warn(failureDetails(err), 'the cover could not be kept');
      return;
    }
    if (!(await setCover(db, take.work.id, take.token, storage.relative(path)))) return take.lost.abort();
    // Best effort, like progress.
    await notify().catch(() => {});
  };
}

function recordInfo(take: Take, info: SourceInfo): Promise<boolean> {
  const { title, duration, thumbnail, id } = info;
  // The pipeline calls every local file a `file`; here those are uploads.
  const site = info.site === 'file' ? 'upload' : info.site;
  return setSourceInfo(take.deps.db, take.work.id, take.token, {
    title,
    duration,
    thumbnail,
    source_site: site,
    source_id: id,
  });
}

/**
 * Progress writes, one at a time and at most one a second. The newest report is kept and
 * written when the second is up, so pages still see a change every second (and the row's
 * `updated_at` says this worker is alive); a refused write means the conversion is not ours.
 */
function progressWriter(take: Take, notify: () => Promise<void>, entries: PlaylistEntries) {
  const { db } = take.deps;
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
    const update = { phase: p.phase, progress: p.fraction, eta: p.eta, ...(list && { entries: list }) };
    updateProgress(db, take.work.id, take.token, update)
      .then(async (held) => (held ? notify() : take.lost.abort()))
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
