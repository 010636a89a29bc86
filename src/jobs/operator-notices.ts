/**
 * Telling the operator, besides the log, when the service meets trouble it cannot fix alone: a
 * site paused (it rate-limits this server or shows it the bot wall), a new yt-dlp that failed its
 * canary. Each configured channel (YTCONV_OPERATOR_EMAIL, YTCONV_OPERATOR_WEBHOOK) gets a service
 * queue job of its own, retried with backoff like the requesters' emails, so a mail server or a
 * receiver that is down delays its notice and fails nothing else; the webhook's body is the notice.
 */
import type { OperatorChannels } from '../config.ts';
import type { ParkCause, Timestamp } from '../db/tables/conversions.ts';
import { failureDetails, type Logger } from '../log.ts';
import type { Mail, Mailer } from '../mailer.ts';
import { type Queues, queueOperatorNotice } from '../queue/queues.ts';
import { postJson } from '../webhook.ts';

/** What the operator is told: the webhook's JSON body as it is, and the email's content. Times in ISO 8601. */
export type OperatorNotice =
  | { event: 'site_paused'; at: string; site: string; cause: ParkCause; until: string; message: string }
  | { event: 'canary_failed'; at: string; version: string; code: string; message: string };

export type NoticeChannel = keyof OperatorChannels;

/** Queue a notice for each configured channel; never throws (a notice is never worth a failure). */
export type TellOperator = (notice: OperatorNotice) => Promise<void>;

export function operatorTeller(deps: { queues: Queues; operator: OperatorChannels; log: Logger }): TellOperator {
  const channels = (Object.keys(deps.operator) as NoticeChannel[]).filter((via) => deps.operator[via] !== null);
  return async (notice) => {
    for (const via of channels) {
      await queueOperatorNotice(deps.queues, { via, notice }).catch((err: unknown) =>
        deps.log.warn({ via, event: notice.event, ...failureDetails(err) }, 'the operator could not be told'),
      );
    }
  };
}

export function sitePausedNotice(site: string, cause: ParkCause, until: Timestamp, message: string): OperatorNotice {
  return { event: 'site_paused', at: iso(Date.now()), site, cause, until: iso(until), message };
}

export function canaryFailedNotice(version: string, code: string, message: string): OperatorNotice {
  return { event: 'canary_failed', at: iso(Date.now()), version, code, message };
}

export interface DeliverDeps {
  mailer: Mailer;
  operator: OperatorChannels;
  publicUrl: string;
  /** The operator's webhook is signed like the jobs' (src/webhook.ts). */
  webhooks: { signingKey: string };
}

/** The service queue's job: one notice through one channel (skipped if the channel was unset since). */
export async function deliverNotice(deps: DeliverDeps, via: NoticeChannel, notice: OperatorNotice): Promise<void> {
  const to = deps.operator[via];
  if (to === null) return;
  if (via === 'webhook') await postJson(to, notice, { signingKey: deps.webhooks.signingKey });
  else await deps.mailer.send(noticeMail(notice, to, deps.publicUrl));
}

function noticeMail(notice: OperatorNotice, to: string, publicUrl: string): Mail {
  const subject =
    notice.event === 'site_paused'
      ? `ytconv: ${notice.site} paused until ${notice.until}`
      : `ytconv: yt-dlp ${notice.version} failed its canary`;
  return { to, subject, text: `${notice.message}\n\nThe service's health: ${publicUrl}/admin/health\n` };
}

function iso(ms: Timestamp): string {
  return new Date(ms).toISOString();
}
