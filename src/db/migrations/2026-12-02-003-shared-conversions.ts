/**
 * A job belongs to one requester; the work underneath may be shared. The work moves to its own
 * table, `conversions` (status, progress, files, the worker's fencing token), and `jobs` keeps
 * only what is one person's: the id in their link, their email, their cancel. Existing jobs
 * become one conversion each, under the same id, so stored file paths stay valid.
 *
 * Self-contained, like every migration: it must keep meaning what it meant when it ran.
 */
import { type ColumnDefinitionBuilder, type Kysely, PostgresAdapter, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

const STATUSES = sql<boolean>`status in ('queued', 'running', 'done', 'failed', 'cancelled')`;
const ACTIVE = sql<boolean>`status in ('queued', 'running')`;

function autoId(db: Kysely<AnyDatabase>) {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return (col: ColumnDefinitionBuilder) =>
    postgres ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement();
}

/** The work's columns that the old `jobs` table had too, in the same order. */
const WORK_COLUMNS = [
  'id',
  'status',
  'phase',
  'progress',
  'eta',
  'source_kind',
  'source_site',
  'source_id',
  'source_url',
  'options',
  'options_key',
  'title',
  'duration',
  'thumbnail',
  'error_code',
  'error_message',
  'attempts',
  'entries',
  'created_at',
  'updated_at',
  'started_at',
  'finished_at',
  'expires_at',
];
const FILE_COLUMNS = ['name', 'path', 'size', 'duration', 'format', 'bitrate', 'position'];

const list = (columns: string[], table?: string) =>
  sql.join(columns.map((c) => (table ? sql.ref(`${table}.${c}`) : sql.ref(c))));

type TableBuilder = ReturnType<Kysely<AnyDatabase>['schema']['createTable']>;

/** The columns of a conversion that the old `jobs` rows had too (both tables are made with them). */
function workColumns(table: TableBuilder): TableBuilder {
  return table
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
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('entries', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('expires_at', 'bigint');
}

/** A files table whose rows belong to `owner` (a conversion now, a job before). */
async function createFiles(db: Kysely<AnyDatabase>, table: string, owner: 'conversion' | 'job'): Promise<void> {
  const ownerColumn = `${owner}_id`;
  await db.schema
    .createTable(table)
    .addColumn('id', 'integer', autoId(db))
    .addColumn(ownerColumn, 'text', (col) => col.notNull().references(`${owner}s.id`).onDelete('cascade'))
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('path', 'text', (col) => col.notNull())
    .addColumn('size', 'bigint', (col) => col.notNull())
    .addColumn('duration', 'double precision', (col) => col.notNull())
    .addColumn('format', 'text', (col) => col.notNull())
    .addColumn('bitrate', 'integer', (col) => col.notNull())
    .addColumn('position', 'integer', (col) => col.notNull())
    .addUniqueConstraint(owner === 'job' ? 'job_files_job_position' : 'conversion_files_position', [
      ownerColumn,
      'position',
    ])
    .execute();
}

/** Plain indexes on `columns`, and the partial unique one that makes identical requests share. */
async function createIndexes(db: Kysely<AnyDatabase>, table: string, columns: string[]): Promise<void> {
  for (const column of columns) await db.schema.createIndex(`${table}_${column}`).on(table).column(column).execute();
  await db.schema
    .createIndex(`${table}_active_options_key`)
    .on(table)
    .column('options_key')
    .unique()
    .where(ACTIVE)
    .execute();
}

async function createConversions(db: Kysely<AnyDatabase>): Promise<void> {
  await workColumns(db.schema.createTable('conversions'))
    .addColumn('take_token', 'text')
    .addColumn('active_jobs', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await createIndexes(db, 'conversions', ['status', 'options_key', 'expires_at']);
  await createFiles(db, 'conversion_files', 'conversion');
}

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await createConversions(db);
  await sql`insert into conversions (${list(WORK_COLUMNS)}, active_jobs)
    select ${list(WORK_COLUMNS)}, case when ${ACTIVE} then 1 else 0 end from jobs`.execute(db);
  await sql`insert into conversion_files (conversion_id, ${list(FILE_COLUMNS)})
    select job_id, ${list(FILE_COLUMNS)} from job_files`.execute(db);
  await db.schema.dropTable('job_files').execute();
  await db.schema
    .createTable('requests')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('conversion_id', 'text', (col) => col.notNull().references('conversions.id').onDelete('cascade'))
    .addColumn('email', 'text')
    .addColumn('email_error', 'text')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('cancelled_at', 'bigint')
    .execute();
  await sql`insert into requests (id, conversion_id, email, email_error, created_at, cancelled_at)
    select id, id, email, email_error, created_at,
      case when status = 'cancelled' then coalesce(finished_at, updated_at) end from jobs`.execute(db);
  await db.schema.dropTable('jobs').execute();
  await db.schema.alterTable('requests').renameTo('jobs').execute();
  await db.schema.createIndex('jobs_conversion_id').on('jobs').column('conversion_id').execute();
  await db.schema.createIndex('jobs_created_at').on('jobs').column('created_at').execute();
}

/**
 * Back to one row per job. Jobs that shared a conversion each get its state and a copy of its
 * file rows; only the oldest keeps the options key, since the old schema allowed one active job
 * per key.
 */
export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  const work = WORK_COLUMNS.filter((c) => !['id', 'created_at', 'options_key', 'status'].includes(c));
  await sql`create table old_jobs as
    select j.id as id, j.created_at as created_at, j.email as email, j.email_error as email_error,
      case when j.cancelled_at is not null then 'cancelled' else c.status end as status,
      case when j.id = (select min(o.id) from jobs o where o.conversion_id = c.id) then c.options_key end as options_key,
      ${list(work, 'c')}
    from jobs j join conversions c on c.id = j.conversion_id`.execute(db);
  await sql`create table old_job_files as
    select j.id as job_id, ${list(FILE_COLUMNS, 'f')}
    from conversion_files f join jobs j on j.conversion_id = f.conversion_id`.execute(db);
  for (const table of ['jobs', 'conversion_files', 'conversions']) await db.schema.dropTable(table).execute();
  await recreateOldSchema(db);
  const old = [...WORK_COLUMNS, 'email', 'email_error'];
  await sql`insert into jobs (${list(old)}) select ${list(old)} from old_jobs`.execute(db);
  await sql`insert into job_files (job_id, ${list(FILE_COLUMNS)})
    select job_id, ${list(FILE_COLUMNS)} from old_job_files`.execute(db);
  await db.schema.dropTable('old_job_files').execute();
  await db.schema.dropTable('old_jobs').execute();
}

/** The schema as migrations 001 and 002 left it, without admins (which this one never touched). */
async function recreateOldSchema(db: Kysely<AnyDatabase>): Promise<void> {
  await workColumns(db.schema.createTable('jobs'))
    .addColumn('email', 'text')
    .addColumn('email_error', 'text')
    .execute();
  await createIndexes(db, 'jobs', ['status', 'options_key', 'expires_at', 'created_at']);
  await createFiles(db, 'job_files', 'job');
}
