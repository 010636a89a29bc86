/**
 * What the admin area may do: sign people in, list jobs with filters, retry, cancel and delete;
 * show the service's health, lift a site's pause and put a cookies file back in use.
 * Like JobsApi it speaks plain data; the web layer renders it. A retry is a new job made through
 * the normal path (JobsApi.create), so it is checked, shared and queued like any other request.
 */
import { rm } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { listFiles, listFilesOf } from '../db/conversion-files.ts';
import { deleteOrphanConversion } from '../db/conversions.ts';
import { putCookiesBack } from '../db/cookies-pool.ts';
import type { Database } from '../db/database.ts';
import { countJobs, deleteJob, getJob, type Job, jobStatus, listJobs } from '../db/jobs.ts';
import type { FileRow } from '../db/tables/conversion-files.ts';
import type { SourceKind } from '../db/tables/conversions.ts';
import { ConvertError, type ErrorCode } from '../errors.ts';
import { flagValues } from '../options.ts';
import type { Queues } from '../queue/queues.ts';
import type { Storage } from '../storage.ts';
import { type AccessApi, createAccessApi } from './access.ts';
import { type OpsHealth, opsHealth } from './ops-health.ts';
import { resumeSite, sitePauses } from './parking.ts';
import { uploadDir } from './service.ts';
import type { JobStatus, JobsApi, JobView, NewJob } from './types.ts';
import { isExpired, visibleFiles } from './view.ts';
import { type YtdlpStatus, type YtdlpStatusDeps, ytdlpStatus } from './ytdlp-status.ts';

export interface AdminServiceDeps {
  db: Kysely<Database>;
  storage: Storage;
  jobs: JobsApi;
  /** What the yt-dlp panel needs besides the database. */
  ytdlp: Pick<YtdlpStatusDeps, 'engine' | 'settings'>;
  /** A lifted pause takes the BullMQ rate limit off its site's queue. */
  queues: Queues;
}

/** One row of the admin's job list. Times are milliseconds since the epoch. */
export interface AdminJob {
  id: string;
  status: JobStatus;
  title: string | null;
  /** Seconds. */
  duration: number | null;
  source: { kind: SourceKind; site: string | null; url: string };
  files: number;
  /** Bytes of the job's files: those it can download (a job cancelled early has none of its work's). */
  size: number;
  /** Done, but its files were removed after the retention time. */
  expired: boolean;
  error: { code: ErrorCode; message: string } | null;
  /** Why the notification email could not be sent, if it could not. */
  email_error: string | null;
  /** Why a webhook call could not be delivered, if one could not. */
  webhook_error: string | null;
  created_at: number;
}

export interface JobListQuery {
  status?: JobStatus;
  search?: string;
  /** 1-based. */
  page: number;
  pageSize: number;
}

export interface JobList {
  jobs: AdminJob[];
  /** How many jobs match, over all pages. */
  total: number;
}

/** Signing in and API keys are the access service's; the rest is the admin area's own. */
export interface AdminApi extends AccessApi {
  /** One row of the list, for the page that asks to confirm an action on it. */
  job(id: string): Promise<AdminJob>;
  list(query: JobListQuery): Promise<JobList>;
  /** A new job with the same source and options as a failed or cancelled one. */
  retry(id: string): Promise<JobView>;
  cancel(id: string): Promise<JobView>;
  /** Cancel it if active and forget it; its work and files go too when no other job shares them. */
  remove(id: string): Promise<void>;
  /** The yt-dlp workers use, as `ytconv ytdlp status` shows it. */
  ytdlp(): Promise<YtdlpStatus>;
  health(): Promise<OpsHealth>;
  /** End a site's pause now (its operator fixed the cause); `conflict` when it is not paused. */
  resumeSite(site: string): Promise<void>;
  /** Put a cookies file that met the bot wall back in use; `not_found` when the pool has no such file. */
  putCookiesBack(name: string): Promise<void>;
}

export function createAdminApi(deps: AdminServiceDeps): AdminApi {
  const { db, storage, jobs } = deps;
  return {
    ...createAccessApi(db),
    ytdlp: () => ytdlpStatus({ db, storage, ...deps.ytdlp }),
    health: () => opsHealth(deps),
    async resumeSite(site) {
      if (!(await sitePauses(db)).has(site)) throw new ConvertError('conflict', `${site} is not paused (any more).`);
      await resumeSite(deps, site);
    },
    async putCookiesBack(name) {
      if (!(await putCookiesBack(db, name)))
        throw new ConvertError('not_found', `The cookies pool has no file "${name}".`);
    },
    async job(id) {
      const job = await existing(db, id);
      return adminJob(job, await listFiles(db, job.conversion_id));
    },
    async list(query) {
      const search = { status: query.status, search: query.search };
      const offset = (query.page - 1) * query.pageSize;
      const rows = await listJobs(db, { ...search, limit: query.pageSize, offset });
      const [total, files] = await Promise.all([
        countJobs(db, search),
        listFilesOf(
          db,
          rows.map((job) => job.conversion_id),
        ),
      ]);
      return { jobs: rows.map((job) => adminJob(job, files.get(job.conversion_id) ?? [])), total };
    },
    async retry(id) {
      const job = await existing(db, id);
      const status = jobStatus(job);
      if (status !== 'failed' && status !== 'cancelled') {
        throw new ConvertError('conflict', `Only failed or cancelled jobs can be retried; this one is ${status}.`);
      }
      // An upload's file is removed when its job fails or is cancelled: nothing is left to retry.
      if (job.conversion.source_kind === 'upload') {
        throw new ConvertError('expired', 'An upload cannot be retried: its file is gone; upload it again.');
      }
      return jobs.create({ url: job.conversion.source_url, ...requestOptions(job) });
    },
    async cancel(id) {
      const view = await jobs.cancel(id);
      if (view === null) throw notFound();
      if (view.status !== 'cancelled') {
        throw new ConvertError('conflict', `The job had already ended (${view.status}); nothing to cancel.`);
      }
      return view;
    },
    async remove(id) {
      const job = await existing(db, id);
      const status = jobStatus(job);
      // A running conversion stops at its next progress write; if it still publishes files, it
      // finds no row to finish and removes them itself (see jobs/run.ts).
      if (status === 'queued' || status === 'running') await jobs.cancel(id);
      await deleteJob(db, id);
      if (await deleteOrphanConversion(db, job.conversion_id)) {
        await storage.removeConversion(job.conversion_id);
        await rm(uploadDir(storage, job.conversion_id), { recursive: true, force: true });
      }
    },
  };
}

async function existing(db: Kysely<Database>, id: string): Promise<Job> {
  const job = await getJob(db, id);
  if (job === null) throw notFound();
  return job;
}

function notFound(): ConvertError {
  return new ConvertError('not_found', 'There is no such job (any more).');
}

/** The original request's options, email and webhook: the person who asked is told about the retry too. */
function requestOptions(job: Job): Omit<NewJob, 'url' | 'upload'> {
  const { format, quality, start, end, items, sponsorblock, sponsorblock_categories } = job.conversion.options;
  return {
    format,
    ...flagValues(job.conversion.options),
    sponsorblock,
    sponsorblock_categories: [...sponsorblock_categories],
    ...(quality !== null && { quality }),
    ...(start !== null && { start }),
    ...(end !== null && { end }),
    ...(items !== null && { items }),
    ...(job.email !== null && { email: job.email }),
    ...(job.webhook_url !== null && { webhook_url: job.webhook_url }),
  };
}

/** `files` are its conversion's: the row counts those this job has (see view.ts), not the shared work's. */
function adminJob(job: Job, files: readonly FileRow[]): AdminJob {
  const work = job.conversion;
  const kept = visibleFiles(job, files);
  return {
    id: job.id,
    status: jobStatus(job),
    title: work.title,
    duration: work.duration,
    source: { kind: work.source_kind, site: work.source_site, url: work.source_url },
    files: kept.length,
    size: kept.reduce((sum, f) => sum + f.size, 0),
    expired: isExpired(job, Date.now()),
    error: work.error_code === null ? null : { code: work.error_code, message: work.error_message ?? '' },
    email_error: job.email_error,
    webhook_error: job.webhook_error,
    created_at: job.created_at,
  };
}
