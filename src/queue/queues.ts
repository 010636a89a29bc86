/**
 * BullMQ queues, as the production guide says: the web side fails fast when Redis is down (no
 * offline queue, and a command timeout, so a request gets a 503 instead of hanging); workers wait
 * for Redis forever.
 * A conversion's message carries only its id (also the message's BullMQ id): the database holds
 * everything else.
 */
import { type ConnectionOptions, Queue } from 'bullmq';

/** Long conversions, kept apart so that emails and housekeeping never wait behind them. */
export const CONVERT_QUEUE = 'ytconv-convert';
/** Emails, expiry, the reconciler and the yt-dlp check. */
export const SERVICE_QUEUE = 'ytconv-service';

export interface ConvertPayload {
  conversionId: string;
}

export type ServiceJob =
  | { name: 'email'; data: { jobId: string; to: string } }
  | { name: 'expire'; data: Record<string, never> }
  | { name: 'reconcile'; data: Record<string, never> }
  | { name: 'ytdlp-update'; data: Record<string, never> };

export type Role = 'web' | 'worker';

/** Where the queues live: a Redis URL and a key prefix (tests take one each, to share a Redis). */
export interface QueueSettings {
  redisUrl: string;
  prefix: string;
  /** The first wait before an unsent email is tried again (YTCONV_EMAIL_RETRY_DELAY). */
  emailRetryDelayMs: number;
}

/**
 * How the web side talks to Redis: it fails fast when Redis refuses connections (no offline
 * queue), and gives up on a command after a while when Redis accepts but does not answer (hung,
 * swapping), so that a request gets a 503 instead of waiting forever. Generous enough for a
 * busy web process that reads a reply late.
 */
export const WEB_REDIS = { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2500 } as const;

/** Options for any BullMQ queue, worker or event reader of ours. */
export function bullOptions(settings: QueueSettings, role: Role): { connection: ConnectionOptions; prefix: string } {
  const connection =
    role === 'web' ? { url: settings.redisUrl, ...WEB_REDIS } : { url: settings.redisUrl, maxRetriesPerRequest: null };
  return { connection, prefix: settings.prefix };
}

export interface Queues {
  convert: Queue<ConvertPayload>;
  service: Queue<ServiceJob['data'], unknown, ServiceJob['name']>;
  emailRetryDelayMs: number;
  close(): Promise<void>;
}

export function openQueues(settings: QueueSettings, role: Role): Queues {
  const options = bullOptions(settings, role);
  const convert = new Queue<ConvertPayload>(CONVERT_QUEUE, options);
  const service = new Queue<ServiceJob['data'], unknown, ServiceJob['name']>(SERVICE_QUEUE, options);
  return {
    convert,
    service,
    emailRetryDelayMs: settings.emailRetryDelayMs,
    close: async () => {
      await Promise.all([convert.close(), service.close()]);
    },
  };
}

/** Hand a conversion to the workers. The BullMQ id is ours, so sending twice queues it once. */
export async function sendConvert(queues: Queues, conversionId: string): Promise<void> {
  const { name, data, opts } = convertMessage(conversionId);
  await queues.convert.add(name, data, opts);
}

/** `sendConvert` for several conversions in one round trip to Redis. */
export async function sendConverts(queues: Queues, conversionIds: readonly string[]): Promise<void> {
  await queues.convert.addBulk(conversionIds.map(convertMessage));
}

function convertMessage(conversionId: string) {
  return {
    name: 'convert',
    data: { conversionId },
    opts: {
      jobId: conversionId,
      // Retries of a processor that threw (the database was away); the conversion's own
      // attempts (a worker dying mid-way) are bounded by the database, not here.
      attempts: 3,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    },
  };
}

/** An email with retries and backoff: a mail server that is down never fails the conversion. */
export async function queueEmail(queues: Queues, jobId: string, to: string): Promise<void> {
  await queues.service.add(
    'email',
    { jobId, to },
    {
      attempts: 6,
      backoff: { type: 'exponential', delay: queues.emailRetryDelayMs },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 1000 },
    },
  );
}
