/** A job, its conversion and the conversion's files as the API shows them. */
import { createHash } from 'node:crypto';
import { type Job, jobStatus } from '../db/jobs.ts';
import type { FileRow } from '../db/tables/conversion-files.ts';
import type { JobFileView, JobView } from './types.ts';

export function fileUrl(jobId: string, name: string): string {
  return `/api/jobs/${jobId}/files/${encodeURIComponent(name)}`;
}

/**
 * The stored cover a job shows: none once it is cancelled or its files expired. Its version (a
 * digest of where it is stored) changes whenever the cover does, so one URL always names one image.
 */
export function shownCover(job: Job, now = Date.now()): { path: string; version: string } | null {
  const path = job.conversion.cover;
  if (path === null || jobStatus(job) === 'cancelled' || isExpired(job, now)) return null;
  return { path, version: createHash('sha256').update(path).digest('base64url').slice(0, 16) };
}

export function isExpired(job: Job, now: number): boolean {
  const work = job.conversion;
  return jobStatus(job) === 'done' && work.expires_at !== null && work.expires_at <= now;
}

/** `files` are the conversion's; a cancelled job shows none, whatever its shared work did after. */
export function toView(job: Job, files: readonly FileRow[], now = Date.now()): JobView {
  const work = job.conversion;
  const status = jobStatus(job);
  const live = status === 'queued' || status === 'running';
  const expired = isExpired(job, now);
  const cover = shownCover(job, now);
  return {
    id: job.id,
    status,
    phase: live ? work.phase : null,
    progress: status === 'cancelled' ? null : work.progress,
    eta: live ? work.eta : null,
    title: work.title,
    duration: work.duration,
    thumbnail: work.thumbnail,
    cover: cover && `/api/jobs/${job.id}/cover/${cover.version}`,
    error: status === 'failed' && work.error_code ? { code: work.error_code, message: work.error_message ?? '' } : null,
    source: { site: work.source_site, id: work.source_id, url: work.source_url },
    options: work.options,
    files: expired || status !== 'done' ? [] : files.map((f) => fileView(job.id, f)),
    ...(work.entries && {
      entries: work.entries.map(({ title, status, progress, error }) => ({ title, status, progress, error })),
    }),
    created_at: new Date(job.created_at).toISOString(),
    expires_at: status === 'done' && work.expires_at !== null ? new Date(work.expires_at).toISOString() : null,
    expired,
  };
}

function fileView(jobId: string, f: FileRow): JobFileView {
  return {
    name: f.name,
    size: f.size,
    duration: f.duration,
    format: f.format,
    bitrate: f.bitrate,
    url: fileUrl(jobId, f.name),
  };
}
