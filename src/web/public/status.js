/** A job's status as the page names and shows it. */
import { h } from './dom.js';

/** @typedef {import('../../jobs/types.ts').JobView} JobView */
/** @typedef {import('../../jobs/types.ts').EntryView} EntryView */
/** The API's statuses (a job's or an entry's), and `expired`, which the page shows for done jobs. */
/** @typedef {JobView['status'] | EntryView['status'] | 'expired'} ShownStatus */

/** @type {Record<ShownStatus, string>} */
export const STATUS_LABELS = {
  queued: 'Queued',
  running: 'In progress',
  done: 'Ready',
  failed: 'Failed',
  cancelled: 'Cancelled',
  expired: 'Expired',
  skipped: 'Skipped',
};

/** @type {ReadonlySet<string>} */
export const FINAL_STATUSES = new Set(['done', 'failed', 'cancelled']);

/**
 * A job's status as people see it: a done job whose files are gone (or due to be) reads "Expired".
 * @param {Pick<JobView, 'status' | 'expired' | 'expires_at'>} job
 * @param {number} [now]
 * @returns {ShownStatus}
 */
export function displayStatus(job, now = Date.now()) {
  const due = job.expires_at && Date.parse(job.expires_at) <= now;
  return job.status === 'done' && (job.expired || due) ? 'expired' : job.status;
}

/**
 * `data-status` keeps the API's status for tests and styles; the label may say "Expired".
 * @param {ShownStatus} status
 * @param {ShownStatus} [label]
 * @param {string | null} [testid]
 */
export function statusBadge(status, label = status, testid = null) {
  return h('span', { class: `badge badge--${label}`, testid, 'data-status': status }, STATUS_LABELS[label] ?? label);
}

/**
 * An uploaded file (not a link): nothing to download, no source page to link to.
 * @param {Pick<JobView, 'source'>} job
 */
export function isUpload(job) {
  return job.source?.site === 'upload';
}
