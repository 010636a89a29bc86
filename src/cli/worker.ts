/** `ytconv worker`: runs conversions, emails and housekeeping from the queues. */
import type { Config } from '../config.ts';
import { createMailer } from '../mailer.ts';
import { startWorkers } from '../queue/worker.ts';
import { openServices } from '../services.ts';
import { closeOnSignals } from './shutdown.ts';

const log = (line: string): void => {
  process.stderr.write(`${new Date().toISOString()} worker: ${line}\n`);
};

export async function runWorker(config: Config): Promise<number> {
  const services = await openServices(config, 'worker');
  const mailer = createMailer(config.service.email, log);
  const workers = await startWorkers({
    ...services,
    mailer,
    run: { engine: config.engine, retentionSec: config.service.retentionSec },
    publicUrl: config.service.publicUrl,
    concurrency: config.service.workerConcurrency,
    stallTimeoutMs: config.service.stallTimeoutSec * 1000,
    schedules: { expireEveryMs: config.service.expireEverySec * 1000, reconcileEveryMs: 60_000 },
    log,
  });
  log(`waiting for jobs (${config.service.workerConcurrency} at a time)`);
  closeOnSignals(
    async () => {
      await workers.close();
      mailer.close();
      await services.close();
    },
    30_000,
    log,
  );
  return new Promise(() => {});
}
