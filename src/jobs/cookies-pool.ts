/**
 * The operator's cookies pool as workers share it: the database decides which file each job
 * gets and which are set aside (src/db/cookies-pool.ts), so a file that met the bot wall on one
 * machine is out of use on all of them. Files are named by their base name, the same on every
 * machine; the file itself is read from this machine's folder.
 */
import { basename } from 'node:path';
import { addCookies, lendCookies, listCookies, setCookiesAside } from '../db/cookies-pool.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../log.ts';
import type { CookiesPool, Engine } from '../pipeline/types.ts';

/** The engine with its cookies pool kept in the database (unchanged when it has none). */
export function withSharedCookies(engine: Engine, db: Db, log: Logger): Engine {
  return engine.cookies === null ? engine : { ...engine, cookies: sharedCookiesPool(engine.cookies, db, log) };
}

function sharedCookiesPool(pool: CookiesPool, db: Db, log: Logger): CookiesPool {
  const byName = new Map(pool.files.map((file) => [basename(file), file]));
  const names = [...byName.keys()];
  // Rows for this machine's files, made once (and tried again after a failure).
  let added: Promise<void> | null = null;
  const ready = () => {
    added ??= addCookies(db, names).catch((err: unknown) => {
      added = null;
      throw err;
    });
    return added;
  };
  return {
    files: pool.files,
    setAsideSec: pool.setAsideSec,
    async take() {
      await ready();
      const name = await lendCookies(db, names);
      if (name === null) log.warn({ cookies: names }, 'every cookies file is set aside: this job goes without');
      return name === null ? null : (byName.get(name) ?? null);
    },
    async setAside(file) {
      const name = basename(file);
      const until = pool.setAsideSec === null ? null : Date.now() + pool.setAsideSec * 1000;
      await ready();
      await setCookiesAside(db, name, until);
      log.warn(
        { cookies: name, until: until === null ? 'put back by an operator' : new Date(until).toISOString() },
        'cookies file set aside: the site showed it its bot wall',
      );
    },
  };
}

/** One file of the pool as the admin page and `ytconv cookies` show it. */
export interface CookiesStatus {
  name: string;
  /** Null while in use; else since when, and until when (null: until put back). */
  setAside: { since: number; until: number | null } | null;
  lastUsedAt: number | null;
  uses: number;
  botWalls: number;
}

/** The pool's files (configured here, and those other workers saw) with their state now. */
export async function cookiesStatus(db: Db, files: readonly string[], now = Date.now()): Promise<CookiesStatus[]> {
  const rows = new Map((await listCookies(db)).map((row) => [row.name, row]));
  const names = [...new Set([...files.map((file) => basename(file)), ...rows.keys()])].sort();
  return names.map((name) => {
    const row = rows.get(name);
    const aside = row?.set_aside_at != null && (row.set_aside_until === null || Number(row.set_aside_until) > now);
    return {
      name,
      setAside: aside
        ? { since: Number(row.set_aside_at), until: row.set_aside_until === null ? null : Number(row.set_aside_until) }
        : null,
      lastUsedAt: row && Number(row.last_used_at) > 0 ? Number(row.last_used_at) : null,
      uses: row?.uses ?? 0,
      botWalls: row?.bot_walls ?? 0,
    };
  });
}
