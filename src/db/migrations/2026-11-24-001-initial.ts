/**
 * Jobs, their files, and admins. Self-contained on purpose (a migration must keep meaning what it
 * meant when it ran, whatever the app's code becomes), and written once for SQLite and PostgreSQL.
 *
 * Timestamps are integer milliseconds since the epoch (`bigint`: INTEGER affinity on SQLite): the
 * same number on both dialects, compared and indexed as numbers, with no time-zone or text-format
 * drift between the drivers.
 */
import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

const STATUSES = sql<boolean>`status in ('queued', 'running', 'done', 'failed', 'cancelled')`;
const ACTIVE = sql<boolean>`status in ('queued', 'running')`;

/** An integer key the database assigns: the two dialects spell it differently. */
function autoId(db: Kysely<AnyDatabase>) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return (col: ColumnDefinitionBuilder) =>
    postgres ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement();
}

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('status', 'text', (col) => col.notNull().check(STATUSES))
    .addColumn('phase', 'text')
    .addColumn('progress', 'double precision')
    .addColumn('eta', 'integer')
    .addColumn('source_kind', 'text', (col) => col.notNull().check(sql`source_kind in ('url', 'upload')`))
    .addColumn('source_site', 'text')
    .addColumn('source_id', 'text')
    .addColumn('source_url', 'text', (col) => col.notNull())
    .addColumn('options', 'text', (col) => col.notNull())
    .addColumn('options_key', 'text')
    .addColumn('title', 'text')
    .addColumn('duration', 'double precision')
    .addColumn('thumbnail', 'text')
    .addColumn('email', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .execute();
  await db.schema.createIndex('jobs_status').on('jobs').column('status').execute();
  await db.schema.createIndex('jobs_options_key').on('jobs').column('options_key').execute();
  await db.schema.createIndex('jobs_expires_at').on('jobs').column('expires_at').execute();
  await db.schema.createIndex('jobs_created_at').on('jobs').column('created_at').execute();
  // At most one unfinished job per options key: identical requests arriving together share it.
  await db.schema
    .createIndex('jobs_active_options_key')
    .on('jobs')
    .column('options_key')
    .unique()
    .where(ACTIVE)
    .execute();

  await db.schema
    .createTable('job_files')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('job_id', 'text', (col) => col.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('path', 'text', (col) => col.notNull())
    .addColumn('size', 'bigint', (col) => col.notNull())
    .addColumn('duration', 'double precision', (col) => col.notNull())
    .addColumn('format', 'text', (col) => col.notNull())
    .addColumn('bitrate', 'integer', (col) => col.notNull())
    .addColumn('position', 'integer', (col) => col.notNull())
    .addUniqueConstraint('job_files_job_position', ['job_id', 'position'])
    .execute();

  await db.schema
    .createTable('admins')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('username', 'text', (col) => col.notNull().unique())
    .addColumn('password_hash', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.dropTable('admins').execute();
  await db.schema.dropTable('job_files').execute();
  await db.schema.dropTable('jobs').execute();
}
