/** Conversions through the service's HTTP API, as a client sees them. */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../src/jobs/types.ts';
import type { Service } from '../test/helpers/processes.ts';
import { MP3_192K } from './commands.ts';

/** A long conversion on a loaded machine still ends well within this. */
const JOB_TIMEOUT_MS = 10 * 60_000;

/**
 * Submits `url` and polls until the job is done; polling every `everyMs` adds at most that much
 * to a time taken around it.
 */
export async function convert(service: Service, url: string, everyMs = 20): Promise<JobView> {
  return waitDone(service, await service.create({ url, ...MP3_192K }), everyMs);
}

export async function waitDone(service: Service, job: JobView, everyMs: number): Promise<JobView> {
  const deadline = Date.now() + JOB_TIMEOUT_MS;
  for (let view: JobView | null = job; ; view = await service.job(job.id)) {
    if (view?.status === 'done') return view;
    if (!view || ['failed', 'cancelled'].includes(view.status) || Date.now() > deadline) {
      throw new Error(
        `job ${job.id} for ${job.source.url} is ${view?.status ?? 'gone'}: ${view?.error?.message ?? ''}`,
      );
    }
    await sleep(everyMs);
  }
}

/** A client reading job status in a loop (a read every 20 ms) until stopped; each read's seconds. */
export function pollStatus(service: Service) {
  let ids: readonly string[] = [];
  let polling = true;
  const latencies: number[] = [];
  const loop = async () => {
    for (let n = 0; polling; n++) {
      const id = ids[n % Math.max(ids.length, 1)];
      if (id) {
        const started = performance.now();
        await (await service.fetch(`/api/jobs/${id}`)).arrayBuffer();
        latencies.push((performance.now() - started) / 1000);
      }
      await sleep(20);
    }
  };
  const looping = loop();
  return {
    follow(list: readonly string[]) {
      ids = list;
    },
    async stop(): Promise<number[]> {
      polling = false;
      await looping;
      return latencies;
    },
  };
}
