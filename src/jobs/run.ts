/**
 * A worker's side of one conversion: take it (with a fencing token), run the pipeline, record
 * the outcome, tell every requester as they asked (email, webhooks). Progress goes to the database at most
 * once a second; a write that is refused means the conversion was cancelled or another worker
 * holds it now, and the pipeline is stopped. A worker removes what it made itself, and of that
 * only what it did not record: recorded files, and the cover beside them, stay until they expire,
 * whatever ended the conversion, unless a hand-back or another take starts it afresh. The one
 * exception: the take that ends a conversion removes earlier takes' folders that nothing recorded
 * points into, which a SIGKILL kept their takes from removing.
 */
import { copyFile, mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { Kysely } from 'kysely';
import { listFiles } from '../db/conversion-files.ts';
import {
  abandonConversion,
  dropUnkeptCover,
  failConversion,
  finishConversion,
  parkConversion,
  releaseConversion,
  setCover,
  setSourceInfo,
  type TakeRules,
  takeConversion,
  updateProgress,
} from '../db/conversion-state.ts';
import { type Conversion, getConversion, newId } from '../db/conversions.ts';
import type { Database } from '../db/database.ts';
import { type JobToNotify, jobIdsOf, jobsToNotify } from '../db/jobs.ts';
import { asConvertError, ConvertError } from '../errors.ts';
import { failureDetails, type Logger } from '../log.ts';
import { toConvertOptions } from '../options.ts';
import { type ConvertResult, convert, type SourceInfo } from '../pipeline/convert.ts';
import { parseSource } from '../pipeline/sources.ts';
import type { Engine, OutputFile, Progress, Source } from '../pipeline/types.ts';
import type { Storage } from '../storage.ts';
import { EntryWriter } from './entries.ts';
import type { TellOperator } from './operator-notices.ts';
import { mayPark, type Parking, type ParkRules, parkCauseOf, planParking, siteWorked } from './parking.ts';
import { heldProgress } from './progress.ts';
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
  /** Queue the webhook calls for a finished job (its own, the instance's: see webhooks.ts). */
  callWebhooks(job: JobToNotify): Promise<void>;
  /** The yt-dlp a conversion starting now uses (ytdlp-current.ts): a switch never lands mid-job. */
  ytdlp(): Promise<string>;
  /** Lines about this conversion (the caller names it). */
  log: Logger;
  /** When a site that turns conversions away is paused (see parking.ts). */
  parkRules: ParkRules;
  /** Tell the operator of a site paused (operator-notices.ts). */
  tellOperator: TellOperator;
}

export interface RunControl {
  /** Aborted when this worker shuts down: the conversion is handed back, not failed. */
  signal: AbortSignal;
  /** Tell watchers the row changed. */
  notify(): Promise<void>;
  /** The paced site whose queue the conversion came from; null for the shared queue. */
  site: string | null;
}

export type Outcome = 'done' | 'failed' | 'cancelled' | 'skipped' | 'handed_back' | 'superseded';

/** How a take ended; a parked conversion's caller holds its message back as `parking` says. */
export type RunResult = Outcome | { outcome: 'parked'; parking: Parking };

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
  /** The site its pauses count against: its queue's, else the one its link was sent by. */
  site: string | null;
}

export async function runConversion(deps: RunDeps, id: string, ctl: RunControl): Promise<RunResult> {
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
    site: ctl.site ?? work.source_site,
  };
  const stop = AbortSignal.any([take.lost.signal, ctl.signal]);
  const entries = new EntryWriter({
    db: deps.db,
    conversionId: id,
    token,
    toRow: (f) => fileRow(deps.storage, f),
    written: () => void ctl.notify().catch(() => {}),
    lost: () => take.lost.abort(),
  });
  try {
    const engine = { ...deps.engine, tools: { ...deps.engine.tools, ytdlp: await deps.ytdlp() } };
    const result = await convert(await sourceOf(deps.storage, work), toConvertOptions(work.options), {
      engine,
      outDir: take.outDir,
      signal: stop,
      onProgress: progressWriter(take, ctl.notify),
      onCover: coverKeeper(take, ctl.notify),
      onInfo: (info) => {
        if (info.entries) entries.start(info.entries);
        // Best effort, like progress: a busy database or a Redis hiccup must not end the worker.
        recordInfo(take, info)
          .then(ctl.notify)
          .catch(() => {});
      },
      onEntry: (report) => entries.report(report),
    });
    return logged(take, await finish(take, result, entries));
  } catch (err) {
    return logged(take, await failed(take, err, ctl.signal), err);
  }
}

/** One line per take's end; a failure with its causes and the failing tool's last stderr lines. */
function logged(take: Take, result: RunResult, err?: unknown): RunResult {
  const { log } = take.deps;
  if (typeof result === 'object') {
    const { cause, until } = result.parking;
    log.info({ outcome: 'parked', cause, until: new Date(until).toISOString(), ...failureDetails(err) }, 'parked');
    return result;
  }
  const outcome = result;
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
  if (!(await abandonConversion(deps.db, work.id, rules, error, expiry(deps)))) return 'skipped';
  await ended(deps, work);
  return 'failed';
}

async function sourceOf(storage: Storage, work: Conversion): Promise<Source> {
  if (work.source_kind === 'url') return parseSource(work.source_url, { allowFiles: false });
  const dir = uploadDir(storage, work.id);
  const [name] = await readdir(dir).catch(() => []);
  if (name === undefined) throw new ConvertError('expired', 'The uploaded file is gone; upload it again.');
  // Stored under a safe name; the title comes from the name it was uploaded with.
  return { kind: 'file', path: join(dir, name), name: work.source_url };
}

function fileRow(storage: Storage, f: OutputFile) {
  const { name, size, duration, format, bitrate, truncated, unsplit, title, artist, sponsorblock } = f;
  return {
    name,
    title,
    artist,
    path: storage.relative(f.path),
    size,
    duration,
    format,
    bitrate,
    truncated_at: truncated?.at ?? null,
    truncated_of: truncated?.of ?? null,
    unsplit: unsplit ? 1 : 0,
    sponsorblock: sponsorblock === null ? null : JSON.stringify(sponsorblock),
  };
}

const expiry = (deps: RunDeps) => Date.now() + deps.retentionSec * 1000;

async function finish(take: Take, result: ConvertResult, entries: EntryWriter): Promise<Outcome> {
  const { deps } = take;
  // A playlist's files were written entry by entry; a single item's are written here.
  const files = await entries.remaining(result.files);
  if (!(await finishConversion(deps.db, take.work.id, take.token, { files, expiresAt: expiry(deps) }))) {
    // Cancelled, or another worker holds it now, while the last files were being written.
    return lost(
      take,
      files.map((f) => deps.storage.resolve(f.path)),
    );
  }
  await siteWorked(deps.db, take.site);
  await removeOtherTakes(take);
  await ended(deps, take.work);
  return 'done';
}

async function failed(take: Take, err: unknown, shutdown: AbortSignal): Promise<RunResult> {
  const { deps, work, token } = take;
  if (shutdown.aborted) {
    // The next take starts afresh: what this one made is forgotten with it.
    if (await releaseConversion(deps.db, work.id, token)) await rm(take.outDir, { recursive: true, force: true });
    return 'handed_back';
  }
  if (take.lost.signal.aborted) return lost(take);
  const e = asConvertError(err);
  const cause = parkCauseOf(e);
  if (cause !== null && mayPark(work.parks)) return park(take, await planParking(deps, take.site, cause));
  // Files of the playlist entries finished before the failure stay until expiry, like a cancel's.
  if (!(await failConversion(deps.db, work.id, token, e, expiry(deps)))) return lost(take);
  await removeOtherTakes(take);
  await dropIfNothingKept(take);
  await ended(deps, work);
  return 'failed';
}

/** Queued again, waiting for its site; what this take made is forgotten, as on a release. */
async function park(take: Take, parking: Parking): Promise<RunResult> {
  const { deps, work, token } = take;
  const until = parking.cause === 'extractor_broken' ? null : parking.until;
  if (!(await parkConversion(deps.db, work.id, token, { cause: parking.cause, until }))) return lost(take);
  await rm(take.outDir, { recursive: true, force: true });
  return { outcome: 'parked', parking };
}

/**
 * The conversion is not this take's any more. Superseded: another take starts it afresh, so nothing
 * of this one is kept. Cancelled: what it recorded (finished entries' files, with its cover) stays
 * until expiry; the `unrecorded` files it made too late go, and so does all when it kept no file.
 */
async function lost(take: Take, unrecorded: readonly string[] = []): Promise<Outcome> {
  const now = await getConversion(take.deps.db, take.work.id);
  if (now?.status === 'cancelled') {
    await Promise.all(unrecorded.map((path) => rm(path, { force: true })));
    await dropIfNothingKept(take);
    return 'cancelled';
  }
  await rm(take.outDir, { recursive: true, force: true });
  return 'superseded';
}

/**
 * The folders of the conversion's earlier takes that nothing recorded points into, once this take
 * has ended it: a take that a SIGKILL ended could not remove its own (a cover it had kept, say).
 * A folder holding recorded files (a killed take's finished playlist entries, which a failure
 * keeps) stays until expiry like them. Best effort: what cannot be removed now goes at expiry.
 */
async function removeOtherTakes(take: Take): Promise<void> {
  const { db, storage, log } = take.deps;
  const parent = dirname(take.outDir);
  try {
    const [files, now] = await Promise.all([listFiles(db, take.work.id), getConversion(db, take.work.id)]);
    const recorded = [...files.map((f) => f.path), now?.cover ?? null].flatMap((path) => (path ? [path] : []));
    const kept = new Set(recorded.map((path) => relative(parent, storage.resolve(path)).split(sep)[0]));
    kept.add(basename(take.outDir));
    const names = await readdir(parent).catch(() => []);
    const others = names.filter((name) => !kept.has(name));
    await Promise.all(others.map((name) => rm(join(parent, name), { recursive: true, force: true })));
  } catch (err) {
    log.warn(failureDetails(err), "an earlier take's folder could not be removed; it goes at expiry");
  }
}

/** A take that ended keeping no file shows no cover either: both records and folder go. */
async function dropIfNothingKept(take: Take): Promise<void> {
  if (await dropUnkeptCover(take.deps.db, take.work.id, take.token)) await removeTakeDir(take);
}

/** This take's folder, and the conversion's if that is left empty (no other take writes there). */
async function removeTakeDir(take: Take): Promise<void> {
  await rm(take.outDir, { recursive: true, force: true });
  await rmdir(dirname(take.outDir)).catch(() => {});
}

/** The conversion ended (done or failed): its upload goes, and every requester is told as they asked. */
async function ended(deps: RunDeps, work: Conversion): Promise<void> {
  if (work.source_kind === 'upload') await rm(uploadDir(deps.storage, work.id), { recursive: true, force: true });
  for (const job of await jobsToNotify(deps.db, work.id)) {
    if (job.email !== null) await deps.email(job.id, job.email);
    await deps.callWebhooks(job);
  }
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
    if (!(await setCover(db, take.work.id, take.token, storage.relative(path)))) {
      // The take is over (deleted, cancelled, superseded): the folder made for the cover goes too.
      await removeTakeDir(take);
      return take.lost.abort();
    }
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
function progressWriter(take: Take, notify: () => Promise<void>) {
  const { db } = take.deps;
  // The highest progress of an earlier take (read before this one took the row), held until passed.
  const mark = take.work.progress ?? 0;
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
    updateProgress(db, take.work.id, take.token, heldProgress(p, mark))
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
    pending = p;
    if (timer === null && !writing) schedule();
  };
}
