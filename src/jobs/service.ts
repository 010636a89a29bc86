/**
 * The jobs service as the web layer sees it (JobsApi): create, read, cancel, watch, and a look at a
 * link before its job (link-preview.ts). Each request gets a job of its own; identical work is done
 * once underneath (see db/jobs.ts). New work is committed before its queue message is sent; a
 * request identical to finished work is answered at once from its files.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';
import { listFiles, listFilesOf } from '../db/conversion-files.ts';
import { type ConversionInput, countQueued, deleteOrphanConversion, findExisting } from '../db/conversions.ts';
import type { Database } from '../db/database.ts';
import {
  attachToActive,
  attachToDone,
  cancelJob,
  conversionOf,
  createWithConversions,
  deleteJob,
  getJob,
  getJobs,
  type Job,
  NO_ROOM,
} from '../db/jobs.ts';
import type { FileRow } from '../db/tables/conversion-files.ts';
import { ConvertError } from '../errors.ts';
import { suitableExtractors } from '../pipeline/extractors.ts';
import { safeStem } from '../pipeline/filename.ts';
import { isSiteAllowed } from '../pipeline/sources.ts';
import type { Engine } from '../pipeline/types.ts';
import type { JobEvents } from '../queue/events.ts';
import { convertQueues, type Queues, queueEmail, sendConverts } from '../queue/queues.ts';
import type { Storage } from '../storage.ts';
import { createBatch } from './batch.ts';
import { previewLink } from './link-preview.ts';
import { sitePauses, type Waiting } from './parking.ts';
import { type CheckedRequest, checkRequest } from './request.ts';
import { type Downloads, type JobsApi, type JobView, MAX_LISTED_JOBS, type NewJob } from './types.ts';
import { shownCover, toView, visibleFiles } from './view.ts';
import { queueJobWebhooks } from './webhooks.ts';

export interface JobsDeps {
  db: Kysely<Database>;
  queues: Queues;
  storage: Storage;
  engine: Engine;
  events: JobEvents;
  /** How long finished files are kept; a request reusing them keeps them this long again. */
  retentionSec: number;
  /** Conversions allowed to wait for a worker; new work beyond it is refused as `busy`. */
  maxQueued: number;
  /** YTCONV_WEBHOOK_URL, told of a request answered at once from finished work too. */
  instanceWebhook: string | null;
}

/** Attempts at finding or making the work for a request that keeps racing other requests. */
const ADMIT_TRIES = 3;

export function createJobsApi(deps: JobsDeps): JobsApi {
  const { db, storage, events } = deps;
  const pausesFor = pauseReader(db);
  const view = async (job: Job): Promise<JobView> =>
    toView(job, await listFiles(db, job.conversion_id), Date.now(), await pausesFor([job]));
  const startWork = workStarter(deps);
  const api: Omit<JobsApi, 'createMany' | 'inspect'> = {
    async create(request: NewJob, gate) {
      try {
        const checked = await withSite(deps, await checkRequest(request, deps.engine));
        await gate?.();
        const job = await admit(deps, startWork, checked, request.upload);
        // Work no worker has taken yet has no files: most answers here need no query for them.
        return job.conversion.status === 'queued' && job.conversion.attempts === 0
          ? toView(job, [], Date.now(), await pausesFor([job]))
          : await view(job);
      } finally {
        if (request.upload) await rm(request.upload.path, { force: true });
      }
    },
    async get(id) {
      const job = await getJob(db, id);
      return job && view(job);
    },
    async list(ids) {
      const found = await getJobs(db, checkedIds(ids));
      // Not only finished jobs have files: a cancelled playlist keeps the entries it finished.
      const files = await listFilesOf(
        db,
        found.map((job) => job.conversion_id),
      );
      const pauses = await pausesFor(found);
      return found.map((job) => toView(job, files.get(job.conversion_id) ?? [], Date.now(), pauses));
    },
    async cancel(id) {
      const cancelled = await cancelJob(db, id, Date.now() + deps.retentionSec * 1000);
      const job = await getJob(db, id);
      if (job && cancelled) {
        events.emit(job.conversion_id);
        if (cancelled.stopped) await dropQueuedWork(deps, job.conversion_id);
      }
      return job && view(job);
    },
    watch(id, onChange) {
      // Changes are signalled per conversion; which one this job follows takes a read.
      let off: (() => void) | null = null;
      let stopped = false;
      conversionOf(db, id).then(
        (conversionId) => {
          if (stopped || conversionId === null) return;
          off = events.on(conversionId, onChange);
          // A change between the caller's first read and this subscription would go unseen.
          onChange();
        },
        () => onChange(),
      );
      return () => {
        stopped = true;
        off?.();
      };
    },
    async downloads(id) {
      const job = await getJob(db, id);
      if (!job) return null;
      return downloadsOf(job, await listFiles(db, job.conversion_id), storage, await pausesFor([job]));
    },
    async downloadsOfMany(ids) {
      const found = await getJobs(db, checkedIds(ids));
      const files = await listFilesOf(
        db,
        found.map((job) => job.conversion_id),
      );
      const pauses = await pausesFor(found);
      return found.map((job) => downloadsOf(job, files.get(job.conversion_id) ?? [], storage, pauses));
    },
  };
  return {
    ...api,
    createMany: (batch, gate) => createBatch(api, batch, deps.engine, gate),
    inspect: (query, signal) => previewLink(deps.engine, query, signal),
  };
}

/** Each id once, and not more than one request may name. */
function checkedIds(ids: readonly string[]): string[] {
  const unique = [...new Set(ids)];
  if (unique.length > MAX_LISTED_JOBS) {
    throw new ConvertError('invalid_option', `Ask for at most ${MAX_LISTED_JOBS} jobs at a time.`);
  }
  return unique;
}

function downloadsOf(
  job: Job,
  rows: readonly FileRow[],
  storage: Storage,
  pauses: ReadonlyMap<string, Waiting>,
): Downloads {
  const cover = shownCover(job, rows);
  return {
    job: toView(job, rows, Date.now(), pauses),
    files: visibleFiles(job, rows).map((f) => ({
      path: storage.resolve(f.path),
      name: f.name,
      size: f.size,
      format: f.format,
      duration: f.duration,
      title: f.title,
      artist: f.artist,
    })),
    cover: cover && { ...cover, path: storage.resolve(cover.path) },
  };
}

/**
 * The sites' pauses for views of `jobs`, read only when a job waits in a queue (the others show
 * none), and once for all the views made in one tick: a burst's new jobs are answered together.
 */
function pauseReader(db: Kysely<Database>): (jobs: readonly Job[]) => Promise<ReadonlyMap<string, Waiting>> {
  const loader = new DataLoader<'pauses', ReadonlyMap<string, Waiting>>(
    async (keys) => {
      const pauses = await sitePauses(db);
      return keys.map(() => pauses);
    },
    { cache: false },
  );
  return async (jobs) => (jobs.some((job) => job.conversion.status === 'queued') ? loader.load('pauses') : new Map());
}

/**
 * A link goes to its site's queue when that site is paced (queue/queues.ts). YouTube's links are
 * known as such; another link's site is what yt-dlp would read it with, asked only when a site
 * other than YouTube is paced (a question to the warm helper of extractors.ts, no network).
 */
async function withSite(deps: JobsDeps, checked: CheckedRequest): Promise<CheckedRequest> {
  const { source } = checked;
  const pacedOthers = [...deps.queues.sites.keys()].some((site) => site !== 'youtube');
  if (source.kind !== 'url' || source.site !== null || !pacedOthers) return checked;
  const names = await suitableExtractors(deps.engine, source.url);
  const site = names?.find((name) => isSiteAllowed(name, deps.engine.policy.allowedSites)) ?? null;
  return { ...checked, source: { ...source, site } };
}

/** Work nobody wants any more: its queue message (a worker would only skip it) and its upload. */
async function dropQueuedWork(deps: JobsDeps, conversionId: string): Promise<void> {
  await Promise.all(convertQueues(deps.queues).map((queue) => queue.remove(conversionId).catch(() => {})));
  await rm(uploadDir(deps.storage, conversionId), { recursive: true, force: true });
}

/** A job for a checked request: on finished work, on work in progress, or on new work. */
async function admit(
  deps: JobsDeps,
  startWork: StartWork,
  checked: CheckedRequest,
  upload: NewJob['upload'],
): Promise<Job> {
  const { db } = deps;
  const now = Date.now();
  for (let i = 0; i < ADMIT_TRIES; i++) {
    if (checked.key !== null) {
      const { done, active } = await findExisting(db, checked.key, now);
      const reused = done && (await attachToDone(db, done.id, checked, now + deps.retentionSec * 1000, now));
      if (reused) {
        await toldAtOnce(deps, reused);
        return reused;
      }
      const joined = active && (await attachToActive(db, active.id, checked, now));
      if (joined) return joined;
    }
    const created = await startWork({ checked, upload });
    if (created) return created;
  }
  throw new ConvertError('internal', 'The job could not be created; try again.');
}

/** A request answered from finished work is told at once, as the worker tells the others. */
async function toldAtOnce(deps: JobsDeps, job: Job): Promise<void> {
  // The job is made and done: a queue that is down now costs only the notification.
  if (job.email) await queueEmail(deps.queues, job.id, job.email).catch(() => {});
  await queueJobWebhooks(deps.queues, deps.instanceWebhook, job).catch(() => {});
}

/** A checked request that needs new work. */
interface WorkRequest {
  checked: CheckedRequest;
  upload: NewJob['upload'];
}

/** New work and its job; null when identical work appeared meanwhile (the caller joins it). */
type StartWork = (request: WorkRequest) => Promise<Job | null>;

/**
 * Group commit: while one batch of new work is being written (one transaction, one round trip to
 * Redis), the requests arriving meanwhile gather into the next batch. Alone, a request goes at
 * once; in a burst, most of a submission's cost (its commit and its queue message) is shared,
 * and fewer commits collide with a worker's writes.
 */
function workStarter(deps: JobsDeps): StartWork {
  let writing: Promise<unknown> = Promise.resolve();
  const loader = new DataLoader<WorkRequest, Job | null>(
    (batch) => {
      const started = startWorkTogether(deps, batch);
      writing = started.catch(() => {});
      return started;
    },
    { cache: false, maxBatchSize: 100, batchScheduleFn: (run) => void writing.then(() => setImmediate(run)) },
  );
  return (request) => loader.load(request);
}

async function startWorkTogether(deps: JobsDeps, batch: readonly WorkRequest[]): Promise<(Job | null | Error)[]> {
  const room = Math.max(0, deps.maxQueued - (await countQueued(deps.db)));
  const works = batch.map(({ checked, upload }) => ({
    input: conversionInput(checked, upload),
    contact: { email: checked.email, webhook_url: checked.webhook_url },
  }));
  const jobs = await createWithConversions(deps.db, works, Date.now(), room);
  const kept = await Promise.all(
    jobs.map((job, i) => (job === NO_ROOM ? busy() : job && keepUploadOf(deps, job, batch[i]?.upload))),
  );
  const sent = kept.filter((job): job is Job => job !== null && !(job instanceof Error));
  try {
    await sendConverts(
      deps.queues,
      sent.map((job) => ({ id: job.conversion_id, site: job.conversion.source_site })),
    );
  } catch (err) {
    await Promise.all(sent.map((job) => undoWork(deps, job)));
    const unavailable = new ConvertError(
      'queue_unavailable',
      'The conversion queue is not reachable right now; try again in a minute.',
      { cause: err },
    );
    return kept.map((job) => (job === null || job instanceof Error ? job : unavailable));
  }
  return kept;
}

function busy(): ConvertError {
  return new ConvertError('busy', 'This server has too many conversions waiting; try again in a few minutes.');
}

function conversionInput(checked: CheckedRequest, upload: NewJob['upload']): ConversionInput {
  return {
    source_kind: checked.source.kind,
    source_site: checked.source.site,
    source_id: checked.source.id,
    source_url: checked.source.url,
    options_key: checked.key,
    title: upload ? upload.filename : null,
    options: checked.options,
  };
}

/** The job, once its upload waits where workers read it; the error, with the job undone, if not. */
async function keepUploadOf(deps: JobsDeps, job: Job, upload: NewJob['upload']): Promise<Job | Error> {
  if (!upload) return job;
  try {
    await keepUpload(deps.storage, job.conversion_id, upload);
    return job;
  } catch (err) {
    await undoWork(deps, job);
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** A job whose work could not be handed to the workers: removed with its conversion and upload. */
async function undoWork(deps: JobsDeps, job: Job): Promise<void> {
  await deleteJob(deps.db, job.id);
  await deleteOrphanConversion(deps.db, job.conversion_id);
  await rm(uploadDir(deps.storage, job.conversion_id), { recursive: true, force: true });
}

/** Uploads wait in shared storage, so that a worker on any host can read them. */
export function uploadDir(storage: Storage, conversionId: string): string {
  return join(storage.uploadDir(), conversionId);
}

async function keepUpload(storage: Storage, conversionId: string, upload: NonNullable<NewJob['upload']>) {
  const dir = uploadDir(storage, conversionId);
  await mkdir(dir, { recursive: true });
  const ext = extname(upload.filename)
    .toLowerCase()
    .replace(/[^.a-z0-9]/g, '');
  await rename(upload.path, join(dir, `${safeStem(upload.filename.slice(0, -ext.length || undefined))}${ext}`));
}
