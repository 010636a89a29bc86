/** `ytconv worker`: runs conversions, emails and housekeeping from the queues. */
import type { Config } from '../config.ts';
import { createLogger } from '../log.ts';
import { createMailer } from '../mailer.ts';
import { lowerChildPriority } from '../pipeline/process.ts';
import { WarmYtdlp } from '../pipeline/ytdlp-server.ts';
import { startWorkers } from '../queue/worker.ts';
import { openServices, parkRulesOf, webhookSettingsOf } from '../services.ts';
import { closeOnSignals } from './shutdown.ts';

/**
 * Conversions are batch work: the ffmpeg and yt-dlp a worker starts run at a lower CPU priority,
 * so that on a shared machine the web process, and the worker's own event loop, still answer at
 * once while every core encodes. On a host of its own it changes nothing.
 */
const TOOL_NICENESS = 10;

export async function runWorker(config: Config): Promise<number> {
  const { service } = config;
  const log = createLogger('worker', service.logLevel);
  lowerChildPriority(TOOL_NICENESS);
  const services = await openServices(config, 'worker', log);
  const warmYtdlp = new WarmYtdlp({ maxJobs: service.ytdlpServerJobs });
  const mailer = createMailer(service.email, (line) => log.info(line));
  const workers = await startWorkers({
    ...services,
    mailer,
    engine: { ...config.engine, warmYtdlp },
    retentionSec: service.retentionSec,
    maxAttempts: service.maxAttempts,
    stallTimeoutMs: service.stallTimeoutSec * 1000,
    publicUrl: service.publicUrl,
    ytdlpUpdates: service.ytdlpUpdates,
    concurrency: service.workerConcurrency,
    pace: service.pace,
    parkRules: parkRulesOf(config),
    operator: service.operator,
    webhooks: await webhookSettingsOf(config),
    schedules: { expireEveryMs: service.expireEverySec * 1000, reconcileEveryMs: service.reconcileEverySec * 1000 },
    log,
  });
  log.info(`waiting for jobs (${service.workerConcurrency} at a time)`);
  closeOnSignals(
    async () => {
      await workers.close();
      await warmYtdlp.close();
      mailer.close();
      await services.close();
    },
    30_000,
    (line) => log.info(line),
  );
  return new Promise(() => {});
}
