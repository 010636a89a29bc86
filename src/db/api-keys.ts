/** API keys as stored: their hashes, names and limits (the rules are in jobs/access.ts). */
import type { Db } from './database.ts';
import type { ApiKeyRow } from './tables/api-keys.ts';

export type ApiKeyInfo = Omit<ApiKeyRow, 'key_hash'>;

const PUBLIC_COLUMNS = ['id', 'name', 'rate_max', 'rate_window_sec', 'created_at', 'revoked_at'] as const;

/** False, storing nothing, when an unrevoked key already bears the name. */
export async function insertApiKey(db: Db, row: Omit<ApiKeyRow, 'revoked_at'>): Promise<boolean> {
  if (await liveKeyNamed(db, row.name)) return false;
  const inserted = await db
    .insertInto('api_keys')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

async function liveKeyNamed(db: Db, name: string): Promise<boolean> {
  const row = await db
    .selectFrom('api_keys')
    .select('id')
    .where('name', '=', name)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** The unrevoked key with this hash, or null. */
export async function liveApiKey(db: Db, keyHash: string): Promise<ApiKeyInfo | null> {
  const row = await db
    .selectFrom('api_keys')
    .select(PUBLIC_COLUMNS)
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row ?? null;
}

/** Every key, revoked ones too (they say when), newest first. */
export async function listApiKeys(db: Db): Promise<ApiKeyInfo[]> {
  return db.selectFrom('api_keys').select(PUBLIC_COLUMNS).orderBy('created_at', 'desc').orderBy('id').execute();
}

/** Which key: by its id (the admin area's buttons) or by its name (the CLI). */
export type KeyChoice = { id: string } | { name: string };

/** Revoke the chosen unrevoked key; false when there is none. */
export async function revokeApiKey(db: Db, which: KeyChoice, now = Date.now()): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('revoked_at', 'is', null)
    .where('id' in which ? 'id' : 'name', '=', 'id' in which ? which.id : which.name)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
