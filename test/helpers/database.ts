/** A database of its own for an end-to-end stack: PostgreSQL when DATABASE_URL names one, else SQLite. */
import { dialects } from '../db/dialects.ts';

export async function freshDatabaseUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  const dialect = dialects().at(-1);
  if (!dialect) throw new Error('no test dialect');
  const scratch = await dialect.scratch();
  return { url: scratch.url, drop: () => scratch.remove() };
}
