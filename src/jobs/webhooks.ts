/**
 * Telling a requester's system that their job ended: a signed JSON POST (see src/webhook.ts) to
 * the URL the request named, and to the instance's YTCONV_WEBHOOK_URL, for each job that ends
 * done or failed. A job cancelled by its requester calls nothing: they know, they did it.
 *
 * Each call is a service queue job of its own, retried with backoff like the emails; whatever
 * happens to it, the job's status stays as it is. The last failure is kept on the job for the
 * admin. The body is read when it is sent (the job as the API shows it then), and each delivery
 * has one id, the same for every attempt, so a receiver that took a body it did not answer in
 * time can drop the repeat.
 */
import type { Kysely } from 'kysely';
import { listFiles } from '../db/conversion-files.ts';
import type { Database } from '../db/database.ts';
import { getJob, type JobToNotify, jobStatus } from '../db/jobs.ts';
import { ConvertError } from '../errors.ts';
import type { Engine } from '../pipeline/types.ts';
import { type Queues, queueWebhook, type WebhookCall, type WebhookTarget, webhookDeliveryId } from '../queue/queues.ts';
import { postJson } from '../webhook.ts';
import type { JobView } from './types.ts';
import { toView } from './view.ts';

export interface WebhookSettings {
  /** YTCONV_WEBHOOK_URL: the operator's, told of every job; null when unset. */
  instanceUrl: string | null;
  /** YTCONV_WEBHOOK_SECRET, or else a key derived from SECRET_KEY. */
  signingKey: string;
}

/** What a receiver gets: the job exactly as `GET /api/jobs/{id}` shows it when the call is made. */
export interface WebhookBody {
  event: 'job.done' | 'job.failed';
  job: JobView;
  /** ISO 8601; the signature's `t` is the time that counts for freshness. */
  sent_at: string;
}

const MAX_URL_LENGTH = 2048;

/**
 * A requester's webhook URL, refused before any job exists when it is no http(s) URL. Its host is
 * judged by the door as a link's is (request.ts); the call is still made by the guarded lookup
 * that connects to the address it checked, since DNS may answer differently by then.
 */
export function checkWebhookUrl(text: string | null | undefined): string | null {
  const url = text?.trim() || null;
  if (url === null) return null;
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (parsed === null || !['http:', 'https:'].includes(parsed.protocol) || url.length > MAX_URL_LENGTH) {
    throw new ConvertError('invalid_option', `The webhook URL "${url}" is not an http(s) URL.`, {
      field: 'webhook_url',
    });
  }
  return url;
}

/** Queue a call to each webhook the ended job is told through: its own, the instance's. */
export async function queueJobWebhooks(
  queues: Queues,
  instanceUrl: string | null,
  job: Pick<JobToNotify, 'id' | 'webhook_url'>,
): Promise<void> {
  const targets: WebhookTarget[] = [
    ...(job.webhook_url !== null ? (['job'] as const) : []),
    ...(instanceUrl !== null ? (['instance'] as const) : []),
  ];
  for (const to of targets) await queueWebhook(queues, { jobId: job.id, to });
}

export interface WebhookDeps {
  db: Kysely<Database>;
  engine: Pick<Engine, 'policy'>;
  webhooks: WebhookSettings;
}

/** The service queue's job: one call; nothing when the job is gone or the URL unset since. */
export async function deliverWebhook(deps: WebhookDeps, call: WebhookCall): Promise<void> {
  const job = await getJob(deps.db, call.jobId);
  const status = job && jobStatus(job);
  const url = call.to === 'job' ? job?.webhook_url : deps.webhooks.instanceUrl;
  if (!job || !url || (status !== 'done' && status !== 'failed')) return;
  // Only queued jobs show a site's pause, so an ended job's view needs none.
  const body: WebhookBody = {
    event: `job.${status}`,
    job: toView(job, await listFiles(deps.db, job.conversion_id)),
    sent_at: new Date().toISOString(),
  };
  const { policy } = deps.engine;
  await postJson(url, body, {
    signingKey: deps.webhooks.signingKey,
    deliveryId: webhookDeliveryId(call),
    ...(call.to === 'job' && {
      guard: {
        allowPrivate: policy.allowPrivateAddresses,
        ...(policy.isForbiddenAddress && { isForbidden: policy.isForbiddenAddress }),
      },
    }),
  });
}
