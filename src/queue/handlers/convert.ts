/** The convert queues' processor: thin; the work is in jobs/run.ts, the parking rules in jobs/parking.ts. */
import { DelayedError, type Job, Worker } from 'bullmq';
import type { Parking } from '../../jobs/parking.ts';
import { type RunDeps, runConversion } from '../../jobs/run.ts';
import type { Logger } from '../../log.ts';
import type { ConvertPayload, ConvertQueue } from '../queues.ts';

/** How soon a conversion handed back at shutdown may be taken again, by this or another worker. */
const HAND_BACK_DELAY_MS = 1000;

/** The queue a processor serves: a paced site's (which a pause can stop), or the shared one. */
export interface ServedQueue {
  site: string | null;
  queue: ConvertQueue;
}

/**
 * `sweep` starts with every conversion (the worker cleans what killed predecessors left) and runs
 * beside it, not before it: reading every process's environment in /proc takes tens of ms on a busy
 * machine, a delay before each start, and a sweep touches only what a dead owner left, never ours.
 * The processors of all convert queues share one count of running conversions (see `cores`).
 */
export function convertProcessor(deps: RunDeps, log: Logger, sweep: () => Promise<void>) {
  let running = 0;
  // Several conversions at once already fill the cores: one splits its encode only over the cores
  // the others leave (each holds one), asked when its encode starts.
  const { parallel } = deps.engine;
  const engine = { ...deps.engine, parallel: { ...parallel, cores: () => parallel.cores() - (running - 1) } };
  return (served: ServedQueue) =>
    async (job: Job<ConvertPayload>, token?: string, signal?: AbortSignal): Promise<string> => {
      void sweep();
      // Messages sent before conversions had their own table carry the id only as the message's id.
      const id = job.data.conversionId ?? job.id;
      running++;
      const result = await runConversion({ ...deps, engine, log: log.child({ conversion: id }) }, id, {
        signal: signal ?? new AbortController().signal,
        notify: async () => {
          await job.updateProgress(Date.now());
        },
        site: served.site,
      }).finally(() => {
        running--;
      });
      if (result === 'handed_back') {
        // Back to the queue without using up an attempt: this worker is stopping, not failing.
        await job.moveToDelayed(Date.now() + HAND_BACK_DELAY_MS, token);
        throw new DelayedError();
      }
      if (typeof result === 'object') return holdBack(job, token, served, result.parking);
      return result;
    };
}

/**
 * A parked conversion's message waits for its site. When the whole site pauses, BullMQ's rate
 * limit stops its queue for every worker until then, and this message goes back to wait first in
 * line (no attempt used); otherwise the message alone is delayed until then.
 */
async function holdBack(
  job: Job<ConvertPayload>,
  token: string | undefined,
  served: ServedQueue,
  parking: Parking,
): Promise<never> {
  const waitMs = parking.until - Date.now();
  if (parking.pauseSite && served.site !== null && waitMs > 0) {
    await served.queue.rateLimit(waitMs);
    throw Worker.RateLimitError();
  }
  await job.moveToDelayed(parking.until, token);
  throw new DelayedError();
}
