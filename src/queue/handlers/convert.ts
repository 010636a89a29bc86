/** The convert queue's processor: thin; the work is in jobs/run.ts. */
import { DelayedError, type Job } from 'bullmq';
import { type RunDeps, runConversion } from '../../jobs/run.ts';
import type { Logger } from '../../log.ts';
import type { ConvertPayload } from '../queues.ts';

/** How soon a conversion handed back at shutdown may be taken again, by this or another worker. */
const HAND_BACK_DELAY_MS = 1000;

/**
 * `sweep` starts with every conversion (the worker cleans what killed predecessors left) and runs
 * beside it, not before it: reading every process's environment in /proc takes tens of ms on a busy
 * machine, a delay before each start, and a sweep touches only what a dead owner left, never ours.
 */
export function convertProcessor(deps: RunDeps, log: Logger, sweep: () => Promise<void>) {
  let running = 0;
  // Several conversions at once already fill the cores: one splits its encode only over the cores
  // the others leave (each holds one), asked when its encode starts.
  const { parallel } = deps.engine;
  const engine = { ...deps.engine, parallel: { ...parallel, cores: () => parallel.cores() - (running - 1) } };
  return async (job: Job<ConvertPayload>, token?: string, signal?: AbortSignal): Promise<string> => {
    void sweep();
    // Messages sent before conversions had their own table carry the id only as the message's id.
    const id = job.data.conversionId ?? job.id;
    running++;
    const outcome = await runConversion({ ...deps, engine, log: log.child({ conversion: id }) }, id, {
      signal: signal ?? new AbortController().signal,
      notify: async () => {
        await job.updateProgress(Date.now());
      },
    }).finally(() => {
      running--;
    });
    if (outcome === 'handed_back') {
      // Back to the queue without using up an attempt: this worker is stopping, not failing.
      await job.moveToDelayed(Date.now() + HAND_BACK_DELAY_MS, token);
      throw new DelayedError();
    }
    return outcome;
  };
}
