/** `ytconv web`: the HTTP server. It never converts; it queues and reads. */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { createAdminApi } from '../jobs/admin.ts';
import { healthCheck } from '../jobs/health.ts';
import { createLogger, quietErrors } from '../log.ts';
import { openJobEvents } from '../queue/events.ts';
import { convertQueues, WEB_REDIS } from '../queue/queues.ts';
import { serviceSecretKey } from '../secret-key.ts';
import { jobsApiOf, openServices } from '../services.ts';
import { buildApp } from '../web/app.ts';
import { closeOnSignals } from './shutdown.ts';

export async function runWeb(config: Config): Promise<number> {
  const log = createLogger('web', config.service.logLevel);
  // Without Redis the API answers 503 queue_unavailable; the log says so once in a while.
  const services = await openServices(config, 'web', log);
  const events = openJobEvents(services.queue, quietErrors(log, 'Redis (live events)'));
  const jobs = jobsApiOf(config, services, events);
  // Rate limits count in Redis so that every web process shares them; like the queue, it fails
  // fast while Redis is down, and the limiter then lets requests through.
  const rateRedis = new Redis(config.service.redisUrl, WEB_REDIS);
  rateRedis.on('error', quietErrors(log, 'Redis (rate limits)'));
  const adminApi = createAdminApi({
    ...services,
    jobs,
    ytdlp: { engine: config.engine, settings: config.service.ytdlpUpdates },
  });
  // One session for the admin area and (YTCONV_ACCESS) the page and the API.
  const sessions = {
    api: adminApi,
    secretKey: await serviceSecretKey(config.service),
    secureCookie: config.service.publicUrl.startsWith('https:'),
  };
  const app = await buildApp({
    jobs,
    maxUploadBytes: config.service.maxUploadBytes,
    mediaLimits: config.engine.limits,
    submitRate: config.service.submitRate,
    inspectRate: config.service.inspectRate,
    rateLimitStore: { client: rateRedis, keyPrefix: config.service.queuePrefix },
    trustProxy: config.service.trustProxy,
    health: healthCheck(services),
    // Inside storage, so that accepting an upload is a rename, never a copy.
    uploadDir: join(services.storage.uploadDir(), '.incoming'),
    access: { ...sessions, mode: config.service.access },
    admin: {
      ...sessions,
      defaultKeyRate: config.service.submitRate,
      queues: [...convertQueues(services.queues), services.queues.service],
    },
    logger: log,
  });
  closeOnSignals(
    async () => {
      await app.close();
      rateRedis.disconnect();
      await events.close();
      await services.close();
    },
    10_000,
    (line) => app.log.info(line),
  );
  await app.listen({ host: config.service.host, port: config.service.port });
  app.log.info(`ytconv is at ${config.service.publicUrl}`);
  return new Promise(() => {});
}
