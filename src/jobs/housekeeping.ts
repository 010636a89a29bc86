/**
 * Scheduled housekeeping, run by BullMQ job schedulers on whichever worker is free: remove
 * expired files, and re-send conversions the database says are unfinished but the queue has
 * lost (Redis restarted without its data, flushed, or a message was skipped).
 */
import { deleteFiles } from '../db/conversion-files.ts';
import { expiredConversions, listByStatus } from '../db/conversions.ts';
import { findConvertMessage, type Queues, sendConvert } from '../queue/queues.ts';
import { abandonIfExhausted, type RunDeps } from './run.ts';

export type HousekeepingDeps = RunDeps & { queues: Queues };

export async function expireFiles(deps: Pick<RunDeps, 'db' | 'storage'>, now = Date.now()): Promise<number> {
  const expired = await expiredConversions(deps.db, now);
  for (const work of expired) {
    await deps.storage.removeConversion(work.id);
    await deleteFiles(deps.db, work.id);
  }
  return expired.length;
}

/** A request commits its row a moment before it sends the message: do not race it. */
const QUEUED_GRACE_MS = 5_000;
const PAGE = 500;
/** Message states in which BullMQ still holds the conversion for a worker. */
const LIVE = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);

/** Re-send lost conversions; returns how many were sent again. */
export async function reconcile(deps: HousekeepingDeps, now = Date.now()): Promise<number> {
  const rules = { staleBefore: now - deps.stallTimeoutMs, maxAttempts: deps.maxAttempts };
  let resent = 0;
  for (const status of ['queued', 'running'] as const) {
    const quietSince = status === 'queued' ? now - QUEUED_GRACE_MS : rules.staleBefore;
    for (const work of await listByStatus(deps.db, status, PAGE)) {
      if (work.updated_at >= quietSince) continue;
      const message = await findConvertMessage(deps.queues, work.id);
      if (message && LIVE.has(await message.getState())) continue;
      if ((await abandonIfExhausted(deps, work, rules)) === 'failed') continue;
      // A finished message under the same id would swallow the new one.
      await message?.remove();
      await sendConvert(deps.queues, { id: work.id, site: work.source_site });
      resent++;
    }
  }
  return resent;
}
