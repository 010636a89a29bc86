/**
 * A worker process's BullMQ workers: conversions (bounded by YTCONV_WORKER_CONCURRENCY; they are
 * ffmpeg/yt-dlp children, so one Node process runs several) and the service queue (emails,
 * expiry, reconciler), plus the job schedulers that drive housekeeping.
 */
import { Worker } from 'bullmq';
import type { Rate } from '../config.ts';
import { recordEmailFailure, recordWebhookFailure } from '../db/jobs.ts';
import { withSharedCookies } from '../jobs/cookies-pool.ts';
import { operatorTeller } from '../jobs/operator-notices.ts';
import { rerunAfterYtdlpSwitch } from '../jobs/parking.ts';
import type { RunDeps } from '../jobs/run.ts';
import { queueJobWebhooks } from '../jobs/webhooks.ts';
import { CURRENT_TTL_MS, currentYtdlp } from '../jobs/ytdlp-current.ts';
import { CHECK_EVERY_MS } from '../jobs/ytdlp-updates.ts';
import { type Logger, quietErrors } from '../log.ts';
import { sweepLeftovers } from '../pipeline/leftovers.ts';
import { convertProcessor, type ServedQueue } from './handlers/convert.ts';
import { type ServiceDeps, serviceHandlers } from './handlers/service.ts';
import {
  bullOptions,
  type ConvertPayload,
  type QueueSettings,
  queueEmail,
  SERVICE_QUEUE,
  type ServiceJob,
} from './queues.ts';

export interface WorkerDeps extends Omit<ServiceDeps, 'email' | 'callWebhooks' | 'log' | 'ytdlp' | 'tellOperator'> {
  queue: QueueSettings;
  /** Conversions each convert queue's worker runs at once. */
  concurrency: number;
  /** The paced sites' conversions started per window across all workers, or null for no limit. */
  pace: Readonly<Record<string, Rate | null>>;
  schedules: { expireEveryMs: number; reconcileEveryMs: number };
  log: Logger;
  /** How long the yt-dlp a conversion starts with is taken as known (tests: 0, read for every job). */
  ytdlpRecheckMs?: number;
}

export interface Workers {
  close(): Promise<void>;
}

export async function startWorkers(deps: WorkerDeps): Promise<Workers> {
  const options = bullOptions(deps.queue, 'worker');
  const ytdlp = currentYtdlp(
    { ...deps, fallback: deps.engine.tools.ytdlp, managed: deps.ytdlpUpdates.managed },
    deps.ytdlpRecheckMs ?? CURRENT_TTL_MS,
  );
  const runDeps: RunDeps = {
    ...deps,
    ytdlp,
    // Every worker on every machine takes turns from one cookies pool, kept in the database.
    engine: withSharedCookies(deps.engine, deps.db, deps.log),
    email: (jobId, to) => queueEmail(deps.queues, jobId, to),
    callWebhooks: (job) => queueJobWebhooks(deps.queues, deps.webhooks.instanceUrl, job),
    tellOperator: operatorTeller(deps),
  };
  const sweep = leftoverSweeper(deps);
  await sweep();
  const processor = convertProcessor(runDeps, deps.log, sweep);
  const served: ServedQueue[] = [
    { site: null, queue: deps.queues.convert },
    ...[...deps.queues.sites].map(([site, queue]) => ({ site, queue })),
  ];
  const converts = served.map(
    (s) =>
      new Worker<ConvertPayload>(s.queue.name, processor(s), {
        ...options,
        concurrency: deps.concurrency,
        lockDuration: deps.stallTimeoutMs,
        stalledInterval: deps.stallTimeoutMs,
        // Each stall hands the message on; the database bounds how often a conversion is retaken.
        maxStalledCount: deps.maxAttempts,
        ...(s.site !== null && {
          limiter: siteLimiter(deps.pace[s.site] ?? null),
          // A paused site's workers look again this often, so that a pause lifted early (resumeSite)
          // takes effect at once rather than after BullMQ's default of 30 s.
          maximumRateLimitDelay: PAUSE_RECHECK_MS,
        }),
      }),
  );
  const onYtdlpSwitched = rerunAfterYtdlpSwitch(deps, (count) =>
    deps.log.info({ count }, `${count} conversion(s) parked for a broken extractor run again with the new yt-dlp`),
  );
  const handlers = serviceHandlers({ ...deps, ...runDeps, onYtdlpSwitched });
  const service = new Worker<ServiceJob['data'], unknown, ServiceJob['name']>(
    SERVICE_QUEUE,
    // The queue's messages are ours: each name carries its own payload.
    (job) => (handlers[job.name] as (data: ServiceJob['data']) => Promise<unknown>)(job.data),
    { ...options, concurrency: 4 },
  );
  // While Redis is away each of them reports the refusal many times a second.
  for (const convert of converts) convert.on('error', quietErrors(deps.log, 'Redis (conversions)'));
  service.on('error', quietErrors(deps.log, 'Redis (service jobs)'));
  service.on('failed', (job, err) => {
    // An email or webhook call that used up its retries is given up on: recorded on its job and in the log.
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    deps.log.error({ job: job.data, name: job.name, error: err.message }, `${job.name} failed for good`);
    const record = FAILURE_RECORDS[job.name];
    if (record) {
      record(deps.db, (job.data as { jobId: string }).jobId, err.message).catch((e: Error) =>
        deps.log.error({ error: e.message }, `could not record the ${job.name} failure`),
      );
    }
  });
  const schedules = new Schedules(deps);
  await schedules.ensure();
  return {
    async close() {
      schedules.stop();
      // Running conversions are handed back to the queue (see handlers/convert.ts), not lost.
      for (const convert of converts) convert.cancelAllJobs('shutdown');
      await Promise.all([...converts.map((convert) => convert.close()), service.close()]);
    },
  };
}

const PAUSE_RECHECK_MS = 1000;

/** Where a job's notification that failed for good is recorded, for the admin. */
const FAILURE_RECORDS: Partial<Record<ServiceJob['name'], typeof recordEmailFailure>> = {
  email: recordEmailFailure,
  webhook: recordWebhookFailure,
};

/**
 * A paced site's limiter: its rate, spread over all workers by BullMQ. A site named without a rate
 * still gets one, never reached, because BullMQ applies a pause (`queue.rateLimit()`) only to a
 * queue whose workers have a limiter.
 */
function siteLimiter(rate: Rate | null): { max: number; duration: number } {
  return rate === null
    ? { max: Number.MAX_SAFE_INTEGER, duration: 1000 }
    : { max: rate.max, duration: rate.windowSec * 1000 };
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
 * BullMQ's job schedulers run expiry, the reconciler and (unless updates are off) the daily yt-dlp
 * check. They live in Redis, so a Redis that lost
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
    const { queues, schedules, ytdlpUpdates } = this.#deps;
    const wanted = {
      expire: schedules.expireEveryMs,
      reconcile: schedules.reconcileEveryMs,
      'ytdlp-update': ytdlpUpdates.off === null ? CHECK_EVERY_MS : null,
    } as const;
    for (const [name, every] of Object.entries(wanted) as [keyof typeof wanted, number | null][]) {
      const existing = await queues.service.getJobScheduler(name);
      if (every === null) {
        if (existing) await queues.service.removeJobScheduler(name);
      } else if (existing?.every !== every) {
        await queues.service.upsertJobScheduler(name, { every }, { name });
      }
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
