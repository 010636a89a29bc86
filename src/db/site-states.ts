/**
 * The sites' rows (tables/site-states.ts): bot walls counted in a row, pauses started and read.
 * Each change is one statement, so workers meeting the same site at once count each meeting.
 */
import type { Db } from './database.ts';
import type { ParkCause, Timestamp } from './tables/conversions.ts';
import type { SiteStateRow } from './tables/site-states.ts';

/** One more conversion in a row met the site's bot wall; returns how many in a row now. */
export async function countBotWall(db: Db, site: string): Promise<number> {
  const row = await db
    .insertInto('site_states')
    .values({ site, bot_walls: 1 })
    .onConflict((oc) => oc.column('site').doUpdateSet((eb) => ({ bot_walls: eb('site_states.bot_walls', '+', 1) })))
    .returning('bot_walls')
    .executeTakeFirstOrThrow();
  return row.bot_walls;
}

/** A conversion of the site went through: the bot walls no longer come in a row. */
export async function clearBotWalls(db: Db, site: string): Promise<void> {
  await db
    .updateTable('site_states')
    .set({ bot_walls: 0 })
    .where('site', '=', site)
    .where('bot_walls', '>', 0)
    .execute();
}

export interface PauseLength {
  /** The first pause's length; each pause in a row lasts twice the one before, up to `maxMs`. */
  baseMs: number;
  maxMs: number;
}

/**
 * Pause the site from `now`, and return until when. A pause that starts within one base length of
 * the last one's end continues a run of pauses (the site is still refusing), and lasts twice as
 * long; the bot walls counted so far are spent on it.
 */
export async function startPause(
  db: Db,
  site: string,
  cause: ParkCause,
  length: PauseLength,
  now: Timestamp = Date.now(),
): Promise<Timestamp> {
  const last = await getSiteState(db, site);
  const inARow = last?.paused_until != null && last.paused_until + length.baseMs >= now ? last.pauses : 0;
  // Already paused by another worker's failure: that pause stands.
  if (last?.paused_until != null && last.paused_until > now) return last.paused_until;
  const until = now + Math.min(length.baseMs * 2 ** inARow, length.maxMs);
  const set = { pause_cause: cause, paused_at: now, paused_until: until, pauses: inARow + 1, bot_walls: 0 };
  await db
    .insertInto('site_states')
    .values({ site, ...set })
    .onConflict((oc) => oc.column('site').doUpdateSet(set))
    .execute();
  return until;
}

/** The site's pause ends now (an operator lifted it); the next one starts a new run. */
export async function endPause(db: Db, site: string, now: Timestamp = Date.now()): Promise<void> {
  await db
    .updateTable('site_states')
    .set({ paused_until: now, pauses: 0 })
    .where('site', '=', site)
    .where('paused_until', '>', now)
    .execute();
}

export async function getSiteState(db: Db, site: string): Promise<SiteStateRow | null> {
  return (await db.selectFrom('site_states').selectAll().where('site', '=', site).executeTakeFirst()) ?? null;
}

/** Sites paused at `now`, soonest to resume first. */
export async function pausedSites(db: Db, now: Timestamp = Date.now()): Promise<SiteStateRow[]> {
  // Ordered here: SQLite's sort of whole rows costs more than the read, even when nothing is paused.
  const rows = await db.selectFrom('site_states').selectAll().where('paused_until', '>', now).execute();
  return rows.sort((a, b) => (a.paused_until ?? 0) - (b.paused_until ?? 0));
}
