/**
 * The jobs started in this browser, newest first, as a short summary each (a job's full view is
 * the server's). Given the store to keep them in, so the bookkeeping is unit-tested.
 */
import { browserStore, readStored, writeStored } from './storage.js';

/** @typedef {import('../../jobs/types.ts').JobView} JobView */
/** @typedef {import('./storage.js').Store} Store */
/**
 * @typedef {Pick<JobView, 'id' | 'title' | 'status' | 'expired' | 'expires_at' | 'created_at'>
 *   & { source: string | null, format: JobView['options']['format'] | null }} RecentJob
 */

const RECENT_KEY = 'ytconv.recent.v1';
const RECENT_MAX = 20;

/**
 * What the list keeps of a job.
 * @param {JobView} job
 * @returns {RecentJob}
 */
function recentSummary(job) {
  return {
    id: job.id,
    title: job.title,
    source: job.source?.url ?? null,
    format: job.options?.format ?? null,
    status: job.status,
    expired: job.expired === true,
    expires_at: job.expires_at ?? null,
    created_at: job.created_at,
  };
}

/** @param {Store} store */
export function recentJobs(store) {
  /** @returns {RecentJob[]} */
  const list = () => {
    const stored = readStored(store, RECENT_KEY, []);
    // Whatever another version of the page (or a person) left there is checked before use.
    return Array.isArray(stored) ? stored.filter((item) => typeof item?.id === 'string') : [];
  };
  return {
    list,
    /** @param {JobView} job */
    add(job) {
      const others = list().filter((item) => item.id !== job.id);
      writeStored(store, RECENT_KEY, [recentSummary(job), ...others].slice(0, RECENT_MAX));
    },
    /**
     * Keeps a listed job's title and status current; jobs this browser didn't start stay out.
     * @param {JobView} job
     */
    update(job) {
      const items = list();
      const index = items.findIndex((item) => item.id === job.id);
      const summary = recentSummary(job);
      // Called on every progress event: write only when something the list shows changed.
      if (index === -1 || JSON.stringify(items[index]) === JSON.stringify(summary)) return;
      items[index] = summary;
      writeStored(store, RECENT_KEY, items);
    },
    /** @param {string} id */
    remove(id) {
      writeStored(
        store,
        RECENT_KEY,
        list().filter((item) => item.id !== id),
      );
    },
    clear() {
      writeStored(store, RECENT_KEY, null);
    },
  };
}

/** This browser's list. */
export const recent = recentJobs(browserStore);
