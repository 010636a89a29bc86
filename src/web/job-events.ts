/**
 * Following one job for a live page, apart from HTTP so it can be tested with a fake JobsApi.
 * `watch` only says "something may have changed": each signal triggers a fresh read, and a burst
 * of signals (progress is reported many times a second) costs at most one read in flight plus
 * one more afterwards, never a queue of reads. A view that did not change is not sent again within
 * half a second: the worker writes progress once a second, so each of its writes still reaches
 * the page, and a job whose numbers stand still (probing, a stalled download) visibly lives on.
 */
import type { JobStatus, JobsApi, JobView } from '../jobs/types.ts';

const FINAL: ReadonlySet<JobStatus> = new Set(['done', 'failed', 'cancelled']);
const REPEAT_AFTER_MS = 500;
/**
 * A page hears from a running job at least this often, even when the worker's writes come late
 * (a busy machine): the job is read again and sent when nothing was sent for this long.
 */
const PULSE_MS = 1000;

export interface JobFollower {
  jobs: Pick<JobsApi, 'get' | 'watch'>;
  /** The job as already read, sent at once. */
  initial: JobView;
  /** One view as JSON, when it differs from the last one sent or that one is older than REPEAT_AFTER_MS. */
  send(json: string): void;
  /** Keeps proxies and browsers from closing an idle connection. */
  ping(): void;
  /** The job reached a final status (or vanished): close the stream. */
  end(): void;
  onError(err: unknown): void;
  heartbeatMs: number;
}

/** Starts following; returns `stop` (idempotent) for when the client goes away. */
export function followJob(f: JobFollower): () => void {
  const id = f.initial.id;
  let stopped = false;
  let reading = false;
  let again = false;
  let last = '';
  let lastAt = 0;
  let unsubscribe = (): void => {};
  let heartbeat: NodeJS.Timeout | undefined;
  let pulse: NodeJS.Timeout | undefined;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    clearInterval(heartbeat);
    clearInterval(pulse);
  };
  const finish = (): void => {
    stop();
    f.end();
  };
  /** Sends the view if new; true when the stream is over. */
  const show = (view: JobView | null): boolean => {
    if (view === null) return true;
    const json = JSON.stringify(view);
    if (json !== last || Date.now() - lastAt >= REPEAT_AFTER_MS) {
      f.send(json);
      lastAt = Date.now();
    }
    last = json;
    return FINAL.has(view.status);
  };
  const refresh = async (): Promise<void> => {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const view = await f.jobs.get(id);
        if (stopped) return;
        if (show(view)) return finish();
      } while (again);
    } catch (err) {
      f.onError(err);
      finish();
    } finally {
      reading = false;
    }
  };

  if (show(f.initial)) {
    finish();
    return stop;
  }
  unsubscribe = f.jobs.watch(id, () => void refresh());
  heartbeat = setInterval(f.ping, f.heartbeatMs);
  pulse = setInterval(() => {
    if (Date.now() - lastAt >= PULSE_MS) void refresh();
  }, PULSE_MS / 4);
  // A change between the first read and the subscription would otherwise go unseen.
  void refresh();
  return stop;
}
