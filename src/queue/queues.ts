/**
 * BullMQ queues, as the production guide says: the web side fails fast when Redis is down (no
 * offline queue, and a command timeout, so a request gets a 503 instead of hanging); workers wait
 * for Redis forever.
 * A conversion's message carries only its id (also the message's BullMQ id): the database holds
 * everything else.
 */
import { type ConnectionOptions, Queue } from 'bullmq';
import type { NoticeChannel, OperatorNotice } from '../jobs/operator-notices.ts';
import { siteOf } from '../pipeline/extractors.ts';

/** Long conversions, kept apart so that emails and housekeeping never wait behind them. */
export const CONVERT_QUEUE = 'ytconv-convert';

/**
 * A paced site's conversions (YTCONV_PACE) have a queue of their own, because BullMQ's rate
 * limiter is a queue's: its `limiter` spaces that site's conversions across all workers, and
 * `queue.rateLimit()` pauses that site alone while the others' queues go on. One queue per paced
 * site keeps every other site, and uploads, in the shared queue, as before.
 */
export function siteQueueName(site: string): string {
  return `${CONVERT_QUEUE}-${site}`;
}

/** Emails, webhooks, the operator's notices, expiry, the reconciler and the yt-dlp check. */
export const SERVICE_QUEUE = 'ytconv-service';

export interface ConvertPayload {
  conversionId: string;
}

export type ServiceJob =
  | { name: 'email'; data: { jobId: string; to: string } }
  | { name: 'webhook'; data: WebhookCall }
  | { name: 'operator-notice'; data: { via: NoticeChannel; notice: OperatorNotice } }
  | { name: 'expire'; data: Record<string, never> }
  | { name: 'reconcile'; data: Record<string, never> }
  | { name: 'ytdlp-update'; data: Record<string, never> };

/** Whose webhook a call goes to: the one the job's request named, or the instance's. */
export type WebhookTarget = 'job' | 'instance';

export interface WebhookCall {
  jobId: string;
  to: WebhookTarget;
}

export type Role = 'web' | 'worker';

/** Where the queues live: a Redis URL and a key prefix (tests take one each, to share a Redis). */
export interface QueueSettings {
  redisUrl: string;
  prefix: string;
  /** The first wait before an unsent email is tried again (YTCONV_EMAIL_RETRY_DELAY). */
  emailRetryDelayMs: number;
  /** Sites with a convert queue of their own (those YTCONV_PACE names). */
  pacedSites: readonly string[];
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

export type ConvertQueue = Queue<ConvertPayload>;

export interface Queues {
  /** The shared convert queue: uploads and every site without a queue of its own. */
  convert: ConvertQueue;
  /** The paced sites' convert queues, by site. */
  sites: ReadonlyMap<string, ConvertQueue>;
  service: Queue<ServiceJob['data'], unknown, ServiceJob['name']>;
  emailRetryDelayMs: number;
  close(): Promise<void>;
}

export function openQueues(settings: QueueSettings, role: Role): Queues {
  const options = bullOptions(settings, role);
  const convert = new Queue<ConvertPayload>(CONVERT_QUEUE, options);
  const sites = new Map(
    settings.pacedSites.map((site) => [site, new Queue<ConvertPayload>(siteQueueName(site), options)]),
  );
  const service = new Queue<ServiceJob['data'], unknown, ServiceJob['name']>(SERVICE_QUEUE, options);
  return {
    convert,
    sites,
    service,
    emailRetryDelayMs: settings.emailRetryDelayMs,
    close: async () => {
      await Promise.all([convert.close(), ...[...sites.values()].map((q) => q.close()), service.close()]);
    },
  };
}

/** Every convert queue: the shared one first, then the paced sites'. */
export function convertQueues(queues: Queues): ConvertQueue[] {
  return [queues.convert, ...queues.sites.values()];
}

/** The queue a conversion of this site (an extractor name, or null when not known) goes to. */
export function convertQueueFor(queues: Queues, site: string | null): ConvertQueue {
  return (site !== null && queues.sites.get(siteOf(site))) || queues.convert;
}

/**
 * A conversion's message, in whichever convert queue holds it: the site yt-dlp named may differ
 * from the one its link was sent by (a YouTube link read by another extractor).
 */
export async function findConvertMessage(queues: Queues, conversionId: string) {
  for (const queue of convertQueues(queues)) {
    const message = await queue.getJob(conversionId);
    if (message) return message;
  }
  return undefined;
}

/** A conversion to hand to the workers: its id and its site, which picks its queue. */
export interface ConvertWork {
  id: string;
  site: string | null;
}

/** Hand a conversion to the workers. The BullMQ id is ours, so sending twice queues it once. */
export async function sendConvert(queues: Queues, work: ConvertWork): Promise<void> {
  await sendConverts(queues, [work]);
}

/** `sendConvert` for several conversions, one round trip to Redis per queue. */
export async function sendConverts(queues: Queues, works: readonly ConvertWork[]): Promise<void> {
  const byQueue = Map.groupBy(works, (work) => convertQueueFor(queues, work.site));
  await Promise.all([...byQueue].map(([queue, some]) => queue.addBulk(some.map((work) => convertMessage(work.id)))));
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
  await queues.service.add('email', { jobId, to }, deliveryOptions(queues));
}

/**
 * A webhook call for an ended job, retried like an email. Its BullMQ id is its delivery id, so a
 * job's end told twice (a worker retaking it) queues one call.
 */
export async function queueWebhook(queues: Queues, call: WebhookCall): Promise<void> {
  await queues.service.add('webhook', call, { ...deliveryOptions(queues), jobId: webhookDeliveryId(call) });
}

/** One per job and receiver: the same for every attempt, so that a receiver can drop repeats. */
export function webhookDeliveryId(call: WebhookCall): string {
  return `webhook-${call.jobId}-${call.to}`;
}

/** A notice to the operator through one channel, retried like an email: it never fails what it tells of. */
export async function queueOperatorNotice(
  queues: Queues,
  data: Extract<ServiceJob, { name: 'operator-notice' }>['data'],
): Promise<void> {
  await queues.service.add('operator-notice', data, deliveryOptions(queues));
}

/** 6 tries, the wait doubling from YTCONV_EMAIL_RETRY_DELAY; what used them up is logged by the worker. */
function deliveryOptions(queues: Queues) {
  return {
    attempts: 6,
    backoff: { type: 'exponential', delay: queues.emailRetryDelayMs },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 1000 },
  };
}
