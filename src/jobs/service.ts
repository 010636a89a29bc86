/**
 * The jobs service as the web layer sees it (JobsApi): create, read, cancel, watch. A job row is
 * committed before its queue message is sent; identical requests share one conversion, and a
 * finished identical conversion is answered at once from its files.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { listFiles } from '../db/job-files.ts';
import { cancelJob } from '../db/job-state.ts';
import { createJob, deleteJob, findActiveDuplicate, findReusable, getJob, type Job } from '../db/jobs.ts';
import { ConvertError } from '../errors.ts';
import { safeStem } from '../pipeline/filename.ts';
import type { Engine } from '../pipeline/types.ts';
import type { JobEvents } from '../queue/events.ts';
import { type Queues, queueEmail, sendConvert } from '../queue/queues.ts';
import type { Storage } from '../storage.ts';
import { type CheckedRequest, checkRequest } from './request.ts';
import type { JobsApi, JobView, NewJob, StoredFile } from './types.ts';
import { toView } from './view.ts';

export interface JobsDeps {
  db: Kysely<Database>;
  queues: Queues;
  storage: Storage;
  engine: Engine;
  events: JobEvents;
}

export function createJobsApi(deps: JobsDeps): JobsApi {
  const { db, storage, events } = deps;
  const view = async (job: Job): Promise<JobView> => toView(job, await listFiles(db, job.id));
  return {
    async create(request: NewJob) {
      const checked = await checkRequest(request, deps.engine);
      try {
        return await view(await admit(deps, checked, request.upload));
      } finally {
        if (request.upload) await rm(request.upload.path, { force: true });
      }
    },
    async get(id) {
      const job = await getJob(db, id);
      return job && view(job);
    },
    async cancel(id) {
      if (await cancelJob(db, id)) {
        events.emit(id);
        // A queued message would only be skipped by the worker; removing it is tidier. An
        // upload's file goes too (a worker reading it keeps its open descriptor).
        await deps.queues.convert.remove(id).catch(() => {});
        await rm(uploadDir(storage, id), { recursive: true, force: true });
      }
      const job = await getJob(db, id);
      return job && view(job);
    },
    watch: (id, onChange) => events.on(id, onChange),
    async files(id): Promise<StoredFile[]> {
      const rows = await listFiles(db, id);
      return rows.map((f) => ({ path: storage.resolve(f.path), name: f.name, size: f.size, format: f.format }));
    },
  };
}

/** Reuse, join or create the job for a checked request. */
async function admit(deps: JobsDeps, checked: CheckedRequest, upload: NewJob['upload']): Promise<Job> {
  const { db } = deps;
  if (checked.key !== null) {
    const done = await findReusable(db, checked.key);
    if (done) {
      if (checked.email) await queueEmail(deps.queues, done.id, checked.email).catch(() => {});
      return done;
    }
  }
  const job = await createJob(db, {
    source_kind: checked.source.kind,
    source_site: checked.source.site,
    source_id: checked.source.id,
    source_url: checked.source.url,
    options_key: checked.key,
    email: checked.email,
    title: upload ? upload.filename : null,
    duration: null,
    thumbnail: null,
    options: checked.options,
  });
  if (job === null) {
    // The same conversion is already queued or running: share it.
    const active = checked.key === null ? null : await findActiveDuplicate(db, checked.key);
    if (active) return active;
    throw new ConvertError('internal', 'The job could not be created; try again.');
  }
  if (upload) await keepUpload(deps.storage, job.id, upload);
  try {
    await sendConvert(deps.queues, job.id);
  } catch (err) {
    await deleteJob(db, job.id);
    await rm(uploadDir(deps.storage, job.id), { recursive: true, force: true });
    throw new ConvertError(
      'queue_unavailable',
      'The conversion queue is not reachable right now; try again in a minute.',
      {
        cause: err,
      },
    );
  }
  return job;
}

/** Uploads wait in shared storage, so that a worker on any host can read them. */
export function uploadDir(storage: Storage, jobId: string): string {
  return join(storage.uploadDir(), jobId);
}

async function keepUpload(storage: Storage, jobId: string, upload: NonNullable<NewJob['upload']>): Promise<void> {
  const dir = uploadDir(storage, jobId);
  await mkdir(dir, { recursive: true });
  const ext = extname(upload.filename)
    .toLowerCase()
    .replace(/[^.a-z0-9]/g, '');
  await rename(upload.path, join(dir, `${safeStem(upload.filename.slice(0, -ext.length || undefined))}${ext}`));
}
