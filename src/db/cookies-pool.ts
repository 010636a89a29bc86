/**
 * The cookies pool's shared state, one row per file name: every worker on every machine lends
 * the least recently used file that is not set aside. Lending is a compare-and-set on the row's
 * last use, so two workers that pick the same file at once cannot both have it: the loser picks
 * again. Written once for SQLite and PostgreSQL.
 */
import type { Db } from './database.ts';
import type { CookiesPoolRow } from './tables/cookies-pool.ts';

/** Rows for files not seen before; existing rows are left as they are. */
export async function addCookies(db: Db, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await db
    .insertInto('cookies_pool')
    .values(names.map((name) => ({ name })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/** The name of the file to lend now, marked as used; null when every one of `names` is aside. */
export async function lendCookies(db: Db, names: readonly string[], now = Date.now()): Promise<string | null> {
  if (names.length === 0) return null;
  // Each lost race means another worker lent a file meanwhile; there are only so many files.
  for (let attempt = 0; attempt <= names.length * 2; attempt++) {
    const free = await db
      .selectFrom('cookies_pool')
      .select(['name', 'last_used_at'])
      .where('name', 'in', names)
      .where((eb) => eb.or([eb('set_aside_at', 'is', null), eb('set_aside_until', '<=', now)]))
      .orderBy('last_used_at')
      .orderBy('name')
      .executeTakeFirst();
    if (free === undefined) return null;
    const taken = await db
      .updateTable('cookies_pool')
      .set((eb) => ({
        // Strictly later than before, so that the compare-and-set of a worker that raced sees the change.
        last_used_at: Math.max(now, Number(free.last_used_at) + 1),
        uses: eb('uses', '+', 1),
        set_aside_at: null,
        set_aside_until: null,
      }))
      .where('name', '=', free.name)
      .where('last_used_at', '=', free.last_used_at)
      .executeTakeFirst();
    if (taken.numUpdatedRows > 0n) return free.name;
  }
  return null;
}

/** Keep a file out of use until `until` (null: until an operator puts it back). */
export async function setCookiesAside(db: Db, name: string, until: number | null, now = Date.now()): Promise<void> {
  await db
    .updateTable('cookies_pool')
    .set((eb) => ({ set_aside_at: now, set_aside_until: until, bot_walls: eb('bot_walls', '+', 1) }))
    .where('name', '=', name)
    .execute();
}

/** Put a file back in use at once; false when the pool has no file of that name. */
export async function putCookiesBack(db: Db, name: string): Promise<boolean> {
  const result = await db
    .updateTable('cookies_pool')
    .set({ set_aside_at: null, set_aside_until: null })
    .where('name', '=', name)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Every file the pool has seen, by name. */
export async function listCookies(db: Db): Promise<CookiesPoolRow[]> {
  return db.selectFrom('cookies_pool').selectAll().orderBy('name').execute();
}
