/**
 * Reading, creating and deleting jobs; the state changes are in job-state.ts. Rows come back
 * with `options` parsed; timestamps are milliseconds since the epoch.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './database.ts';
import type { EntryState, JobOptions, JobRow, JobStatus, NewJobRow, Timestamp } from './tables/jobs.ts';

export type Job = Omit<JobRow, 'options' | 'entries'> & { options: JobOptions; entries: EntryState[] | null };

/** What a caller decides about a new job; id, status and times are set here. */
export type JobInput = Pick<
  NewJobRow,
  | 'source_kind'
  | 'source_site'
  | 'source_id'
  | 'source_url'
  | 'options_key'
  | 'email'
  | 'title'
  | 'duration'
  | 'thumbnail'
> & { options: JobOptions };

export interface JobSearch {
  status?: JobStatus;
  /** Part of the title, source URL or email, or a whole job id. */
  search?: string;
}

export interface JobFilter extends JobSearch {
  limit: number;
  offset: number;
}

/** 16 random bytes: 22 base64url characters, 128 bits nobody can guess. */
export function newJobId(): string {
  return randomBytes(16).toString('base64url');
}

export function toJob(row: JobRow): Job {
  const entries = row.entries === null ? null : (JSON.parse(row.entries) as EntryState[]);
  return { ...row, options: JSON.parse(row.options) as JobOptions, entries };
}

/**
 * Insert a queued job. Returns null, inserting nothing, when a job with the same options_key is
 * already queued or running: a partial unique index decides, so two requests racing each other
 * cannot both start a conversion; the caller then joins that job (findActiveDuplicate).
 */
export async function createJob(db: Db, input: JobInput, now: Timestamp = Date.now()): Promise<Job | null> {
  const options = JSON.stringify(input.options);
  const row = await db
    .insertInto('jobs')
    .values({ ...input, options, id: newJobId(), status: 'queued', created_at: now, updated_at: now })
    // Literal SQL, not bound parameters: SQLite finds the partial index only by a matching WHERE.
    .onConflict((oc) => oc.column('options_key').where(sql<boolean>`status in ('queued', 'running')`).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row === undefined ? null : toJob(row);
}

export async function getJob(db: Db, id: string): Promise<Job | null> {
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toJob(row);
}

/** The newest finished job with these options whose files are still kept at `now`. */
export async function findReusable(db: Db, optionsKey: string, now: Timestamp = Date.now()): Promise<Job | null> {
  const row = await db
    .selectFrom('jobs')
    .selectAll()
    .where('options_key', '=', optionsKey)
    .where('status', '=', 'done')
    .where('expires_at', '>', now)
    .orderBy('finished_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? null : toJob(row);
}

/** The queued or running job with these options, if any (at most one: see createJob). */
export async function findActiveDuplicate(db: Db, optionsKey: string): Promise<Job | null> {
  const row = await db
    .selectFrom('jobs')
    .selectAll()
    .where('options_key', '=', optionsKey)
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst();
  return row === undefined ? null : toJob(row);
}

/** The jobs a search matches, for listJobs and countJobs to share. */
function matching(db: Db, filter: JobSearch) {
  let query = db.selectFrom('jobs');
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.search !== undefined && filter.search.trim() !== '') {
    const text = filter.search.trim();
    const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
    // lower() on both sides: LIKE ignores case on SQLite but not on PostgreSQL.
    const like = (column: 'title' | 'source_url' | 'email') =>
      sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
    query = query.where((eb) => eb.or([eb('id', '=', text), like('title'), like('source_url'), like('email')]));
  }
  return query;
}

/** Newest first, for the admin's list. */
export async function listJobs(db: Db, filter: JobFilter): Promise<Job[]> {
  const rows = await matching(db, filter)
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return rows.map(toJob);
}

/** How many jobs listJobs would find without limit and offset, for the admin's pagination. */
export async function countJobs(db: Db, filter: JobSearch): Promise<number> {
  const row = await matching(db, filter)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Jobs past their expiry that still have files to remove. */
export async function expiredJobs(db: Db, now: Timestamp = Date.now()): Promise<Job[]> {
  const rows = await db
    .selectFrom('jobs')
    .selectAll()
    .where('expires_at', '<=', now)
    .where((eb) =>
      eb.exists(eb.selectFrom('job_files').select('job_files.id').whereRef('job_files.job_id', '=', 'jobs.id')),
    )
    .orderBy('expires_at')
    .execute();
  return rows.map(toJob);
}

/** Remove a job and (by cascade) its file rows; the files on disk are the caller's. */
export async function deleteJob(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('jobs').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
