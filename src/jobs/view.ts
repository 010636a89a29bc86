/** A job row and its file rows as the API shows them. */
import type { Job } from '../db/jobs.ts';
import type { JobFileRow } from '../db/tables/job-files.ts';
import type { JobFileView, JobView } from './types.ts';

export function fileUrl(jobId: string, name: string): string {
  return `/api/jobs/${jobId}/files/${encodeURIComponent(name)}`;
}

export function isExpired(job: Job, now: number): boolean {
  return job.status === 'done' && job.expires_at !== null && job.expires_at <= now;
}

export function toView(job: Job, files: readonly JobFileRow[], now = Date.now()): JobView {
  const expired = isExpired(job, now);
  return {
    id: job.id,
    status: job.status,
    phase: job.phase,
    progress: job.progress,
    eta: job.eta,
    title: job.title,
    duration: job.duration,
    thumbnail: job.thumbnail,
    error: job.error_code ? { code: job.error_code, message: job.error_message ?? '' } : null,
    source: { site: job.source_site, id: job.source_id, url: job.source_url },
    options: job.options,
    files: expired ? [] : files.map((f) => fileView(job.id, f)),
    ...(job.entries && {
      entries: job.entries.map(({ title, status, progress, error }) => ({ title, status, progress, error })),
    }),
    created_at: new Date(job.created_at).toISOString(),
    expires_at: job.expires_at === null ? null : new Date(job.expires_at).toISOString(),
    expired,
  };
}

function fileView(jobId: string, f: JobFileRow): JobFileView {
  return {
    name: f.name,
    size: f.size,
    duration: f.duration,
    format: f.format,
    bitrate: f.bitrate,
    url: fileUrl(jobId, f.name),
  };
}
