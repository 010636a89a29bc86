/** A database of its own for an end-to-end stack: PostgreSQL when DATABASE_URL names one, else SQLite. */
import type { Kysely } from 'kysely';
import { openDatabase } from '../../src/db/connect.ts';
import type { Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { dialects } from '../db/dialects.ts';

export async function freshDatabaseUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const dialect = dialects().at(-1);
  if (!dialect) throw new Error('no test dialect');
  const scratch = await dialect.scratch();
  return { url: scratch.url, drop: () => scratch.remove() };
}

/** A fresh database with every migration applied, open, for tests of the commands that use it. */
export async function migratedDatabase(): Promise<{ url: string; db: Kysely<Database>; close(): Promise<void> }> {
  const database = await freshDatabaseUrl();
  const db = openDatabase(database.url);
  const result = await migrate(db);
  if (!result.ok) throw result.error;
  return {
    url: database.url,
    db,
    async close() {
      await db.destroy();
      await database.drop();
    },
  };
}
