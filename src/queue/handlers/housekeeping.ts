/**
 * Scheduled housekeeping: remove expired files, and re-send jobs the database says are
 * unfinished but the queue has lost (Redis restarted without its data, say).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { deleteFiles } from '../../db/job-files.ts';
import { expiredJobs, listJobs } from '../../db/jobs.ts';
import type { Storage } from '../../storage.ts';
import { type Queues, sendConvert } from '../queues.ts';

export async function expireFiles(db: Kysely<Database>, storage: Storage, now = Date.now()): Promise<number> {
  const jobs = await expiredJobs(db, now);
  for (const job of jobs) {
    await storage.removeJob(job.id);
    await deleteFiles(db, job.id);
  }
  return jobs.length;
}

/** Jobs that stood still this long with no live queue message are sent again. */
const STALE_MS = 60_000;
const PAGE = 500;

export async function reconcile(db: Kysely<Database>, queues: Queues, now = Date.now()): Promise<number> {
  let resent = 0;
  for (const status of ['queued', 'running'] as const) {
    for (const job of await listJobs(db, { status, limit: PAGE, offset: 0 })) {
      if (now - job.updated_at < STALE_MS) continue;
      const message = await queues.convert.getJob(job.id);
      const state = message ? await message.getState() : 'missing';
      if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized') continue;
      // A finished message under the same id would swallow the new one.
      await message?.remove();
      await sendConvert(queues, job.id);
      resent++;
    }
  }
  return resent;
}
