/** Bringing a database's schema up to date. Returns what happened; only an entry point exits. */
import type { Kysely } from 'kysely';
import { type Migration, Migrator } from 'kysely/migration';
import type { Database } from './database.ts';
import { migrations } from './migrations/index.ts';

export type MigrateResult = { ok: true; applied: string[] } | { ok: false; applied: string[]; error: Error };

export function migrator(db: Kysely<Database>): Migrator {
  const atomic = Object.fromEntries(Object.entries(migrations).map(([name, m]) => [name, inOneTransaction(m)]));
  return new Migrator({ db, provider: { getMigrations: async () => atomic } });
}

/**
 * Kysely wraps migrations in a transaction on PostgreSQL but not on SQLite, where a migration
 * failing halfway would leave tables that make the next attempt fail too. SQLite's DDL is
 * transactional, so each migration gets its own transaction there.
 */
function inOneTransaction(m: Migration): Migration {
  const wrap =
    (step: Migration['up']): Migration['up'] =>
    (db) =>
      db.isTransaction ? step(db) : db.transaction().execute(step);
  return m.down === undefined ? { up: wrap(m.up) } : { up: wrap(m.up), down: wrap(m.down) };
}

/** Apply every migration not yet applied, in order; stops at the first that fails. */
export async function migrate(db: Kysely<Database>): Promise<MigrateResult> {
  const { error, results = [] } = await migrator(db).migrateToLatest();
  const done = results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
  if (error === undefined) return { ok: true, applied: done };
  const failed = results.find((r) => r.status === 'Error')?.migrationName;
  const cause = error instanceof Error ? error : new Error(String(error));
  const message = failed === undefined ? cause.message : `migration ${failed} failed: ${cause.message}`;
  // On PostgreSQL the whole run is one transaction, so nothing before the failure stays applied.
  const applied = db.getExecutor().adapter.supportsTransactionalDdl ? [] : done;
  return { ok: false, applied, error: new Error(message, { cause }) };
}
