/**
 * A worker process's BullMQ workers: conversions (bounded by YTCONV_WORKER_CONCURRENCY; they are
 * ffmpeg/yt-dlp children, so one Node process runs several) and the service queue (emails,
 * expiry, reconciler), plus the job schedulers that drive housekeeping.
 */
import { Worker } from 'bullmq';
import { recordEmailFailure } from '../db/jobs.ts';
import { withSharedCookies } from '../jobs/cookies-pool.ts';
import type { RunDeps } from '../jobs/run.ts';
import { type Logger, quietErrors } from '../log.ts';
import { sweepLeftovers } from '../pipeline/leftovers.ts';
import { convertProcessor } from './handlers/convert.ts';
import { type ServiceDeps, serviceHandlers } from './handlers/service.ts';
import {
  bullOptions,
  CONVERT_QUEUE,
  type ConvertPayload,
  type QueueSettings,
  queueEmail,
  SERVICE_QUEUE,
  type ServiceJob,
} from './queues.ts';

export interface WorkerDeps extends Omit<ServiceDeps, 'email' | 'log'> {
  queue: QueueSettings;
  concurrency: number;
  schedules: { expireEveryMs: number; reconcileEveryMs: number };
  log: Logger;
}

export interface Workers {
  close(): Promise<void>;
}

export async function startWorkers(deps: WorkerDeps): Promise<Workers> {
  const options = bullOptions(deps.queue, 'worker');
  const runDeps: RunDeps = {
    ...deps,
    // Every worker on every machine takes turns from one cookies pool, kept in the database.
    engine: withSharedCookies(deps.engine, deps.db, deps.log),
    email: (jobId, to) => queueEmail(deps.queues, jobId, to),
  };
  const sweep = leftoverSweeper(deps);
  await sweep();
  const convert = new Worker<ConvertPayload>(CONVERT_QUEUE, convertProcessor(runDeps, deps.log, sweep), {
    ...options,
    concurrency: deps.concurrency,
    lockDuration: deps.stallTimeoutMs,
    stalledInterval: deps.stallTimeoutMs,
    // Each stall hands the message on; the database bounds how often a conversion is retaken.
    maxStalledCount: deps.maxAttempts,
  });
  const handlers = serviceHandlers({ ...deps, ...runDeps });
  const service = new Worker<ServiceJob['data'], unknown, ServiceJob['name']>(
    SERVICE_QUEUE,
    // The queue's messages are ours: each name carries its own payload.
    (job) => (handlers[job.name] as (data: ServiceJob['data']) => Promise<unknown>)(job.data),
    { ...options, concurrency: 4 },
  );
  // While Redis is away each of them reports the refusal many times a second.
  convert.on('error', quietErrors(deps.log, 'Redis (conversions)'));
  service.on('error', quietErrors(deps.log, 'Redis (service jobs)'));
  service.on('failed', (job, err) => {
    // An email that used up its retries is given up on: recorded on its job and in the log.
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    deps.log.error({ job: job.data, name: job.name, error: err.message }, `${job.name} failed for good`);
    if (job.name === 'email') {
      recordEmailFailure(deps.db, (job.data as { jobId: string }).jobId, err.message).catch((e: Error) =>
        deps.log.error({ error: e.message }, 'could not record the email failure'),
      );
    }
  });
  const schedules = new Schedules(deps);
  await schedules.ensure();
  return {
    async close() {
      schedules.stop();
      // Running conversions are handed back to the queue (see handlers/convert.ts), not lost.
      convert.cancelAllJobs('shutdown');
      await Promise.all([convert.close(), service.close()]);
    },
  };
}

/**
 * A worker killed mid-conversion leaves its work directory (partial audio, cover, info JSON) and
 * possibly a grandchild its watchdog did not know of. Whichever worker starts next on this
 * machine, or takes its next conversion here, removes what provably belongs to a dead process.
 */
function leftoverSweeper(deps: WorkerDeps): () => Promise<void> {
  const sweepOnce = async () => {
    try {
      const swept = await sweepLeftovers(deps.engine.tmpDir);
      if (swept.dirs + swept.processes > 0) deps.log.info(swept, 'removed what a killed process left behind');
    } catch (err) {
      deps.log.warn({ error: (err as Error).message }, 'could not sweep the temp directory');
    }
  };
  // Conversions taken together share the sweep under way, instead of reading /proc once each.
  let running: Promise<void> | null = null;
  return () => {
    running ??= sweepOnce().finally(() => {
      running = null;
    });
    return running;
  };
}

/**
 * BullMQ's job schedulers run expiry and the reconciler. They live in Redis, so a Redis that lost
 * its data (restarted without persistence, flushed) has lost them too, and with them the
 * reconciler that would bring the lost conversions back. Each worker therefore checks, once per
 * reconcile period, that they still exist, and adds them again if not; the scheduling itself stays
 * BullMQ's.
 */
class Schedules {
  readonly #deps: WorkerDeps;
  readonly #timer: NodeJS.Timeout;

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
    this.#timer = setInterval(() => {
      this.ensure().catch(quietErrors(deps.log, 'Redis (schedules)'));
    }, deps.schedules.reconcileEveryMs);
    this.#timer.unref();
  }

  async ensure(): Promise<void> {
    const { queues, schedules } = this.#deps;
    const wanted = { expire: schedules.expireEveryMs, reconcile: schedules.reconcileEveryMs } as const;
    for (const [name, every] of Object.entries(wanted) as [keyof typeof wanted, number][]) {
      const existing = await queues.service.getJobScheduler(name);
      if (existing?.every === every) continue;
      await queues.service.upsertJobScheduler(name, { every }, { name });
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
