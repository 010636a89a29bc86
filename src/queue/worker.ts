/**
 * A worker process's BullMQ workers: conversions (bounded by YTCONV_WORKER_CONCURRENCY; they are
 * ffmpeg/yt-dlp children, so one Node process runs several) and the service queue (emails,
 * expiry, reconciler), plus the job schedulers that drive housekeeping.
 */
import { Worker } from 'bullmq';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { recordEmailFailure } from '../db/job-state.ts';
import type { RunDeps } from '../jobs/run.ts';
import type { Mailer } from '../mailer.ts';
import type { Storage } from '../storage.ts';
import { convertProcessor } from './handlers/convert.ts';
import { sendJobEmail } from './handlers/email.ts';
import { expireFiles, reconcile } from './handlers/housekeeping.ts';
import {
  bullOptions,
  CONVERT_QUEUE,
  type ConvertPayload,
  type QueueSettings,
  type Queues,
  queueEmail,
  SERVICE_QUEUE,
  type ServiceJob,
} from './queues.ts';

export interface WorkerDeps {
  db: Kysely<Database>;
  storage: Storage;
  queues: Queues;
  mailer: Mailer;
  run: Omit<RunDeps, 'db' | 'storage' | 'email'>;
  queue: QueueSettings;
  publicUrl: string;
  concurrency: number;
  /** A worker that stops renewing its lock this long loses its jobs to other workers. */
  stallTimeoutMs: number;
  schedules: { expireEveryMs: number; reconcileEveryMs: number };
  log: (line: string) => void;
}

export interface Workers {
  close(): Promise<void>;
}

export async function startWorkers(deps: WorkerDeps): Promise<Workers> {
  const options = bullOptions(deps.queue, 'worker');
  const runDeps: RunDeps = {
    ...deps.run,
    db: deps.db,
    storage: deps.storage,
    email: (jobId, to) => queueEmail(deps.queues, jobId, to),
  };
  const convert = new Worker<ConvertPayload>(CONVERT_QUEUE, convertProcessor(runDeps), {
    ...options,
    concurrency: deps.concurrency,
    lockDuration: deps.stallTimeoutMs,
    stalledInterval: deps.stallTimeoutMs,
  });
  const service = new Worker<ServiceJob['data'], unknown, ServiceJob['name']>(
    SERVICE_QUEUE,
    async (job) => {
      if (job.name === 'email') {
        const { jobId, to } = job.data as { jobId: string; to: string };
        return sendJobEmail({ db: deps.db, mailer: deps.mailer, publicUrl: deps.publicUrl }, jobId, to);
      }
      if (job.name === 'expire') return expireFiles(deps.db, deps.storage);
      return reconcile(deps.db, deps.queues);
    },
    { ...options, concurrency: 4 },
  );
  service.on('failed', (job, err) => {
    // An email that used up its retries is given up on: recorded on its job and in the log.
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1)) return;
    deps.log(`${job.name} ${JSON.stringify(job.data)} failed for good: ${err.message}`);
    if (job.name === 'email') {
      recordEmailFailure(deps.db, (job.data as { jobId: string }).jobId, err.message).catch((e: Error) =>
        deps.log(`could not record the email failure: ${e.message}`),
      );
    }
  });
  await deps.queues.service.upsertJobScheduler('expire', { every: deps.schedules.expireEveryMs }, { name: 'expire' });
  await deps.queues.service.upsertJobScheduler(
    'reconcile',
    { every: deps.schedules.reconcileEveryMs },
    { name: 'reconcile' },
  );
  return {
    async close() {
      // Running conversions are handed back to the queue (see handlers/convert.ts), not lost.
      convert.cancelAllJobs('shutdown');
      await Promise.all([convert.close(), service.close()]);
    },
  };
}
