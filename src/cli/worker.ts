/** `ytconv worker`: runs conversions, emails and housekeeping from the queues. */
import type { Config } from '../config.ts';
import { createLogger } from '../log.ts';
import { createMailer } from '../mailer.ts';
import { startWorkers } from '../queue/worker.ts';
import { openServices } from '../services.ts';
import { closeOnSignals } from './shutdown.ts';

export async function runWorker(config: Config): Promise<number> {
  const { service } = config;
  const log = createLogger('worker', service.logLevel);
  const services = await openServices(config, 'worker');
  const mailer = createMailer(service.email, (line) => log.info(line));
  const workers = await startWorkers({
    ...services,
    mailer,
    engine: config.engine,
    retentionSec: service.retentionSec,
    maxAttempts: service.maxAttempts,
    stallTimeoutMs: service.stallTimeoutSec * 1000,
    publicUrl: service.publicUrl,
    concurrency: service.workerConcurrency,
    schedules: { expireEveryMs: service.expireEverySec * 1000, reconcileEveryMs: service.reconcileEverySec * 1000 },
    log,
  });
  log.info(`waiting for jobs (${service.workerConcurrency} at a time)`);
  closeOnSignals(
    async () => {
      await workers.close();
      mailer.close();
      await services.close();
    },
    30_000,
    (line) => log.info(line),
  );
  return new Promise(() => {});
}
