/** `ytconv worker`: runs conversions, emails and housekeeping from the queues. */
import { readFileSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import type { Config } from '../config.ts';
import { createLogger } from '../log.ts';
import { createMailer } from '../mailer.ts';
import { WarmYtdlp } from '../pipeline/ytdlp-server.ts';
import { startWorkers } from '../queue/worker.ts';
import { openServices, parkRulesOf } from '../services.ts';
import { closeOnSignals } from './shutdown.ts';

/**
 * Conversions are batch work: the worker, and the ffmpeg and yt-dlp it starts, run at a lower CPU
 * priority, so that on a shared machine the web process still answers at once while every core
 * encodes. On a host of its own it changes nothing.
 */
const WORKER_NICENESS = 10;

function lowerPriority(): void {
  const nice = Math.max(getPriority(), WORKER_NICENESS);
  setPriority(nice);
  // Where Linux schedules by session (autogroup), a nice value weighs only within its session,
  // and `ytconv run` starts the worker in a session of its own: lower that session's weight too.
  // Only when the session is the worker's own: it would lower a whole terminal's otherwise.
  if (!leadsOwnSession()) return;
  try {
    writeFileSync('/proc/self/autogroup', String(nice));
  } catch {
    // No autogroup here: the nice value alone applies.
  }
}

/** Whether this process leads its session (field 6 of /proc/self/stat is the session id). */
function leadsOwnSession(): boolean {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[3]) === process.pid;
  } catch {
    return false;
  }
}

export async function runWorker(config: Config): Promise<number> {
  const { service } = config;
  const log = createLogger('worker', service.logLevel);
  lowerPriority();
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
    concurrency: service.workerConcurrency,
    pace: service.pace,
    parkRules: parkRulesOf(config),
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
