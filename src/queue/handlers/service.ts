/** The service queue's processors, one per job name; thin: the work is the jobs service's. */
import { sendJobEmail } from '../../jobs/email.ts';
import { expireFiles, type HousekeepingDeps, reconcile } from '../../jobs/housekeeping.ts';
import { type DeliverDeps, deliverNotice } from '../../jobs/operator-notices.ts';
import { deliverWebhook, type WebhookDeps } from '../../jobs/webhooks.ts';
import { checkForUpdate, type UpdateDeps } from '../../jobs/ytdlp-updates.ts';
import type { Mailer } from '../../mailer.ts';
import type { ServiceJob } from '../queues.ts';

export type ServiceDeps = HousekeepingDeps & {
  mailer: Mailer;
  publicUrl: string;
  operator: DeliverDeps['operator'];
  webhooks: WebhookDeps['webhooks'];
  ytdlpUpdates: UpdateDeps['settings'];
  onYtdlpSwitched?: UpdateDeps['onSwitched'];
};

type Handlers = { [N in ServiceJob['name']]: (data: Extract<ServiceJob, { name: N }>['data']) => Promise<unknown> };

export function serviceHandlers(deps: ServiceDeps): Handlers {
  return {
    email: ({ jobId, to }) => sendJobEmail(deps, jobId, to),
    webhook: (call) => deliverWebhook(deps, call),
    'operator-notice': ({ via, notice }) => deliverNotice(deps, via, notice),
    expire: () => expireFiles(deps),
    reconcile: () => reconcile(deps),
    'ytdlp-update': () => checkForUpdate(updateDeps(deps), { scheduled: true }),
  };
}

function updateDeps(deps: ServiceDeps): UpdateDeps {
  const { db, storage, engine, log, ytdlpUpdates: settings, onYtdlpSwitched: onSwitched, tellOperator } = deps;
  return { db, storage, engine, log, settings, tellOperator, ...(onSwitched && { onSwitched }) };
}
