import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Timestamp } from './conversions.ts';

/**
 * One person's request: its own id (the unguessable link), email and cancel. The work it asked
 * for is its conversion, which identical requests share.
 */
export interface JobsTable {
  /** Random base64url, 22 characters; the public id in URLs. */
  id: string;
  conversion_id: string;
  email: string | null;
  /** Why the notification email could not be sent, after its retries. */
  email_error: string | null;
  /** The requester's own webhook (src/jobs/webhooks.ts), checked against the address guard. */
  webhook_url: string | null;
  /** Why the last webhook call for this job could not be delivered, after its retries. */
  webhook_error: string | null;
  created_at: Timestamp;
  /** Set when this requester cancelled: the job is cancelled whatever its conversion does. */
  cancelled_at: Timestamp | null;
}

export type JobRow = Selectable<JobsTable>;
export type NewJobRow = Insertable<JobsTable>;
export type JobUpdate = Updateable<JobsTable>;
