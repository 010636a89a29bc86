/** A job, its conversion and the conversion's files as the API shows them. */
import { createHash } from 'node:crypto';
import { type Job, jobStatus } from '../db/jobs.ts';
import type { FileRow } from '../db/tables/conversion-files.ts';
import type { EntryState } from '../db/tables/conversions.ts';
import { sponsorBlockOutcomeSchema } from '../options.ts';
import { siteOf } from '../pipeline/extractors.ts';
import { entryFraction } from '../pipeline/overall.ts';
import { WAITING_MESSAGES, type Waiting } from './parking.ts';
import type { EntryView, JobFileView, JobView, StoredCover } from './types.ts';

export function fileUrl(jobId: string, name: string): string {
  return `/api/jobs/${jobId}/files/${encodeURIComponent(name)}`;
}

function isLive(job: Job): boolean {
  const status = jobStatus(job);
  return status === 'queued' || status === 'running';
}

/** The files this job got were deleted after the retention time. */
export function isExpired(job: Job, now: number): boolean {
  const { expires_at } = job.conversion;
  const hadFiles = jobStatus(job) === 'done' || doneEntries(job).size > 0;
  return hadFiles && expires_at !== null && expires_at <= now;
}

/** Positions of the playlist entries done for this requester. */
function doneEntries(job: Job): Set<number> {
  return new Set(entriesFor(job).flatMap((entry, i) => (entry.status === 'done' ? [i] : [])));
}

/**
 * Each entry as this requester sees it. An entry their job never got done — the job ended first,
 * or they cancelled before the shared work finished it — did not happen for them, whatever the
 * work did after: the one under way when they cancelled was cancelled, the others were skipped.
 */
function entriesFor(job: Job): EntryState[] {
  if (isLive(job)) return job.conversion.entries ?? [];
  const cutoff = job.cancelled_at ?? Number.POSITIVE_INFINITY;
  const missed = (entry: EntryState) =>
    entry.status === 'queued' ||
    entry.status === 'running' ||
    (entry.status === 'done' && (entry.finished_at ?? 0) > cutoff);
  const entries = job.conversion.entries ?? [];
  // Entries run one after another: the first this requester missed is the one their cancel stopped.
  const stopped = jobStatus(job) === 'cancelled' ? entries.findIndex((e) => e.status === 'cancelled' || missed(e)) : -1;
  return entries.map((entry, i) =>
    missed(entry) ? { ...entry, status: i === stopped ? 'cancelled' : 'skipped' } : entry,
  );
}

/**
 * The files a requester gets: all of finished work, else those of the playlist entries done for
 * them (while the playlist runs, and after it was cancelled or failed); none once expired.
 */
export function visibleFiles(job: Job, files: readonly FileRow[], now = Date.now()): FileRow[] {
  if (isExpired(job, now)) return [];
  if (jobStatus(job) === 'done') return [...files];
  const done = doneEntries(job);
  return files.filter((f) => f.entry !== null && done.has(f.entry));
}

/**
 * The stored cover a job shows: while it is live, and after it ended as long as it shows files
 * (a cancelled or failed playlist's finished entries too), so never once they expired. Its version
 * (a digest of where it is stored) changes whenever the cover does: one URL always names one image.
 */
export function shownCover(job: Job, files: readonly FileRow[], now = Date.now()): StoredCover | null {
  const path = job.conversion.cover;
  if (path === null || isExpired(job, now) || (!isLive(job) && visibleFiles(job, files, now).length === 0)) return null;
  return { path, version: createHash('sha256').update(path).digest('base64url').slice(0, 16) };
}

/**
 * Why a queued job waits: its conversion was parked (the site turned it away), or its site is
 * paused (`pauses`, by site, from parking.ts's sitePauses).
 */
function waitingOf(job: Job, pauses: ReadonlyMap<string, Waiting>): JobView['waiting'] {
  const work = job.conversion;
  if (jobStatus(job) !== 'queued') return null;
  const waiting: Waiting | undefined =
    work.park_cause !== null
      ? { cause: work.park_cause, message: WAITING_MESSAGES[work.park_cause], until: work.park_until }
      : work.source_site !== null
        ? pauses.get(siteOf(work.source_site))
        : undefined;
  return waiting ? { ...waiting, until: waiting.until === null ? null : iso(waiting.until) } : null;
}

export function toView(
  job: Job,
  files: readonly FileRow[],
  now = Date.now(),
  pauses: ReadonlyMap<string, Waiting> = new Map(),
): JobView {
  const work = job.conversion;
  const status = jobStatus(job);
  const live = isLive(job);
  const shown = visibleFiles(job, files, now).map((f) => fileView(job.id, f));
  const cover = shownCover(job, files, now);
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
    waiting: waitingOf(job, pauses),
    source: { site: work.source_site, id: work.source_id, url: work.source_url },
    options: work.options,
    files: shown.map(({ view }) => view),
    ...(work.entries && {
      entries: entriesFor(job).map((entry, i, all) => entryView(entry, i, all.length, ownProgress(job), shown)),
    }),
    created_at: new Date(job.created_at).toISOString(),
    expires_at: (status === 'done' || shown.length > 0) && work.expires_at !== null ? iso(work.expires_at) : null,
    expired: isExpired(job, now),
  };
}

/** The playlist's fraction its worker reports; unknown while a retake catches up (see progress.ts). */
function ownProgress(job: Job): number | null {
  return job.conversion.phase === 'resuming' ? null : job.conversion.progress;
}

/** `whole` is the playlist's fraction: the running entry's own is read back from it. */
function entryView(
  entry: EntryState,
  index: number,
  count: number,
  whole: number | null,
  files: readonly { entry: number | null; view: JobFileView }[],
): EntryView {
  const running = entry.status === 'running' && whole !== null;
  return {
    title: entry.title,
    position: entry.position ?? index + 1,
    status: entry.status,
    progress: running ? entryFraction(whole, index + 1, count) : entry.status === 'done' ? 1 : null,
    error: entry.error,
    files: files.filter((f) => f.entry === index).map(({ view }) => view),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function fileView(jobId: string, f: FileRow): { entry: number | null; view: JobFileView } {
  const view = {
    name: f.name,
    size: f.size,
    duration: f.duration,
    format: f.format,
    bitrate: f.bitrate,
    url: fileUrl(jobId, f.name),
    truncated: f.truncated_at !== null && f.truncated_of !== null ? { at: f.truncated_at, of: f.truncated_of } : null,
    unsplit: f.unsplit === 1,
    sponsorblock: f.sponsorblock === null ? null : sponsorBlockOutcomeSchema.parse(JSON.parse(f.sponsorblock)),
  };
  return { entry: f.entry, view };
}
