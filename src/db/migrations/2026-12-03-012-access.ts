/**
 * A private instance (YTCONV_ACCESS): the people who may sign in get a role (`admin` for the admin
 * area, `user` for the page and the API only; everyone already there stays an admin), and API keys
 * are kept as SHA-256 hashes, each with its own limit on new jobs (null: none) and revocable.
 * Only one unrevoked key may bear a name, so that `ytconv apikey revoke NAME` means one key.
 */
import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema
    .alterTable('admins')
    .addColumn('role', 'text', (col) => col.notNull().defaultTo('admin').check(sql`role in ('admin', 'user')`))
    .execute();
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('key_hash', 'text', (col) => col.notNull().unique())
    .addColumn('rate_max', 'integer')
    .addColumn('rate_window_sec', 'integer')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('api_keys_live_name')
    .on('api_keys')
    .column('name')
    .unique()
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.dropTable('api_keys').execute();
  await db.schema.alterTable('admins').dropColumn('role').execute();
}
