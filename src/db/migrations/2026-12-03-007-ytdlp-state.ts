/**
 * The yt-dlp every worker uses, when the service installed it (src/jobs/ytdlp-updates.ts): one row,
 * so that every worker machine reads the same answer. Paths are relative to the storage root, like
 * files'; timestamps are milliseconds (`bigint`), as in the first migration.
 */
import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema
    .createTable('ytdlp_state')
    .addColumn('id', 'integer', (col) => col.primaryKey().check(sql`id = 1`))
    .addColumn('current_version', 'text')
    .addColumn('current_path', 'text')
    .addColumn('current_sha256', 'text')
    .addColumn('current_since', 'bigint')
    .addColumn('current_how', 'text')
    .addColumn('previous_version', 'text')
    .addColumn('previous_path', 'text')
    .addColumn('previous_sha256', 'text')
    .addColumn('refused_sha256', 'text')
    .addColumn('checked_at', 'bigint')
    .addColumn('check_outcome', 'text')
    .addColumn('check_message', 'text')
    .addColumn('canary_at', 'bigint')
    .addColumn('canary_version', 'text')
    .addColumn('canary_error', 'text')
    .addColumn('canary_message', 'text')
    .addColumn('check_token', 'text')
    .addColumn('check_until', 'bigint')
    .execute();
  await db.insertInto('ytdlp_state').values({ id: 1 }).execute();
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.dropTable('ytdlp_state').execute();
}
