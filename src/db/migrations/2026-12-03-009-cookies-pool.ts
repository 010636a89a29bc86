/**
 * The cookies pool's shared state (YTCONV_COOKIES_DIR): which file each worker on each machine
 * lends next (least recently used first) and which are set aside after meeting a site's bot wall.
 * A row per file name, made when a worker first sees the file. Timestamps in milliseconds.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema
    .createTable('cookies_pool')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('last_used_at', 'bigint', (col) => col.notNull().defaultTo(0))
    .addColumn('uses', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('set_aside_at', 'bigint')
    .addColumn('set_aside_until', 'bigint')
    .addColumn('bot_walls', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.dropTable('cookies_pool').execute();
}
