/**
 * Following a job until it reaches a final status: Server-Sent Events first; if the stream is
 * refused or keeps dropping (some proxies buffer or cut it), GET once a second instead, backing
 * off while the server is unreachable.
 */
import { ApiError, api } from './api.js';
import { FINAL_STATUSES } from './status.js';

/** @typedef {import('../../jobs/types.ts').JobView} JobView */

const POLL_MS = 1000;
const MAX_POLL_MS = 5000;

/**
 * @typedef {object} WatchHandlers
 * @property {(job: JobView) => void} onJob each new state of the job
 * @property {(ok: boolean) => void} onConnection whether the view is current
 * @property {(err: ApiError) => void} onGone the job no longer exists
 */

/**
 * Follows job `id`; returns a function that stops following.
 * @param {string} id
 * @param {WatchHandlers} handlers
 */
export function watchJob(id, { onJob, onConnection, onGone }) {
  /** @type {EventSource | null} */
  let stream = null;
  let timer = 0;
  let stopped = false;
  let streamErrors = 0;

  const stop = () => {
    stopped = true;
    stream?.close();
    clearTimeout(timer);
  };
  /** @param {JobView} job */
  const receive = (job) => {
    onJob(job);
    if (FINAL_STATUSES.has(job.status)) stop();
  };

  /** @param {number} delay */
  const poll = (delay) => {
    timer = setTimeout(async () => {
      try {
        const job = await api.getJob(id);
        if (stopped) return;
        onConnection(true);
        receive(job);
        if (!stopped) poll(POLL_MS);
      } catch (err) {
        if (stopped) return;
        if (err instanceof ApiError && err.status === 404) {
          stop();
          onGone(err);
          return;
        }
        onConnection(false);
        poll(Math.min(Math.max(delay, POLL_MS) * 2, MAX_POLL_MS));
      }
    }, delay);
  };

  if (!('EventSource' in window)) {
    poll(POLL_MS);
    return stop;
  }
  const source = new EventSource(api.eventsUrl(id));
  stream = source;
  source.addEventListener('job', (event) => {
    streamErrors = 0;
    onConnection(true);
    let job;
    try {
      job = JSON.parse(event.data);
    } catch {
      return; // A malformed event is skipped; the next one carries the whole job again.
    }
    receive(job);
  });
  source.addEventListener('error', () => {
    if (stopped) return;
    streamErrors += 1;
    if (source.readyState === EventSource.CLOSED || streamErrors >= 3) {
      source.close();
      poll(0);
    } else {
      // The browser reconnects by itself; meanwhile the page says the view may be stale.
      onConnection(false);
    }
  });
  return stop;
}
