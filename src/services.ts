/**
 * Everything a service process (web or worker) holds open, built from the configuration in one
 * place so the entry points and the end-to-end tests wire the same way.
 */
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import { openDatabase } from './db/connect.ts';
import type { Database } from './db/database.ts';
import type { ParkRules } from './jobs/parking.ts';
import { createJobsApi } from './jobs/service.ts';
import type { JobsApi } from './jobs/types.ts';
import type { WebhookSettings } from './jobs/webhooks.ts';
import { type Logger, quietErrors } from './log.ts';
import type { JobEvents } from './queue/events.ts';
import { convertQueues, openQueues, type QueueSettings, type Queues, type Role } from './queue/queues.ts';
import { derivedKey, serviceSecretKey } from './secret-key.ts';
import { openStorage, type Storage } from './storage.ts';

export interface Services {
  db: Kysely<Database>;
  storage: Storage;
  queues: Queues;
  queue: QueueSettings;
  close(): Promise<void>;
}

/** `log` hears Redis trouble from the moment the queues exist (BullMQ prints what nobody hears). */
export async function openServices(config: Config, role: Role, log?: Logger): Promise<Services> {
  const db = openDatabase(config.service.databaseUrl);
  const storage = await openStorage(config.service.storageDir);
  const queue = {
    redisUrl: config.service.redisUrl,
    prefix: config.service.queuePrefix,
    emailRetryDelayMs: config.service.emailRetryDelaySec * 1000,
    pacedSites: Object.keys(config.service.pace),
  };
  const queues = openQueues(queue, role);
  if (log) {
    for (const queue of convertQueues(queues)) queue.on('error', quietErrors(log, 'Redis (queue)'));
    queues.service.on('error', quietErrors(log, 'Redis (service queue)'));
  }
  return {
    db,
    storage,
    queues,
    queue,
    async close() {
      await queues.close();
      await db.destroy();
    },
  };
}

/** When sites that turn conversions away are paused, from the settings. */
export function parkRulesOf(config: Config): ParkRules {
  return { pauseMs: config.service.pauseSec * 1000, botWallsToPause: config.service.botWallsToPause };
}

/** The webhooks' settings, with the signing key derived from SECRET_KEY when none is set. */
export async function webhookSettingsOf(config: Config): Promise<WebhookSettings> {
  const { url, secret } = config.service.webhooks;
  return { instanceUrl: url, signingKey: secret ?? derivedKey(await serviceSecretKey(config.service), 'webhooks') };
}

/** The jobs service as a web process builds it over its services. */
export function jobsApiOf(config: Config, services: Services, events: JobEvents): JobsApi {
  return createJobsApi({
    ...services,
    engine: config.engine,
    events,
    retentionSec: config.service.retentionSec,
    maxQueued: config.service.maxQueued,
    instanceWebhook: config.service.webhooks.url,
  });
}
