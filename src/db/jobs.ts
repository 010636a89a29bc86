/**
 * Jobs: one per request, each pointing at the conversion (the work) it asked for. A job is made
 * with new work, attached to identical work in progress, or attached to finished work whose files
 * are still kept. A requester's cancel detaches their job; the work is cancelled only when its
 * last requester leaves. Joining and leaving both go through one conditional UPDATE of the
 * conversion row (its `active_jobs` count), so a request joining at the moment the last requester
 * leaves either keeps the work alive or finds it cancelled and starts new work — never joins
 * work that is being stopped.
 */
import { type ExpressionBuilder, sql } from 'kysely';
import { compiledOnce } from './compiled-once.ts';
import {
  type Conversion,
  type ConversionInput,
  conversionRow,
  findExisting,
  getConversion,
  getConversions,
  insertedConversion,
  newId,
} from './conversions.ts';
import { type Database, type Db, inTransaction } from './database.ts';
import type { EntryState, JobStatus, NewConversionRow, Timestamp } from './tables/conversions.ts';
import type { JobRow, NewJobRow } from './tables/jobs.ts';

/** A job with the work it points at. */
export type Job = JobRow & { conversion: Conversion };

export interface JobSearch {
  status?: JobStatus;
  /** Part of the title, source URL or email, or a whole job id. */
  search?: string;
}

export interface JobFilter extends JobSearch {
  limit: number;
  offset: number;
}

const ACTIVE = ['queued', 'running'] as const;

/** What a job's own status is: cancelled by its requester, else its conversion's. */
export function jobStatus(job: Job): JobStatus {
  return job.cancelled_at === null ? job.conversion.status : 'cancelled';
}

/** How a requester is told that their work ended: by email, by their own webhook, both or neither. */
export type Contact = Pick<JobRow, 'email' | 'webhook_url'>;

/** A requester who asked to be told nothing (the instance's own webhook still hears of the job). */
export const NO_CONTACT: Contact = { email: null, webhook_url: null };

async function insertJob(db: Db, conversionId: string, contact: Contact, now: Timestamp): Promise<JobRow> {
  const { email, webhook_url } = contact;
  const [row] = await insertJobRow(db, {
    id: newId(),
    conversion_id: conversionId,
    email,
    email_error: null,
    webhook_url,
    webhook_error: null,
    created_at: now,
    cancelled_at: null,
  });
  if (row === undefined) throw new Error('the new job row was not returned');
  return row;
}

const insertJobRow = compiledOnce((db, row: NewJobRow) => db.insertInto('jobs').values(row).returningAll());

/** What new work needs: the conversion and how to reach its first requester. */
export interface NewWork {
  input: ConversionInput;
  contact: Contact;
}

/**
 * New work and its first job, both or neither. Null, inserting nothing, when identical work is
 * already queued or running (a partial unique index decides): the caller attaches to it instead.
 */
export async function createWithConversion(
  db: Db,
  input: ConversionInput,
  contact: Contact,
  now: Timestamp = Date.now(),
): Promise<Job | null> {
  const [job] = await createWithConversions(db, [{ input, contact }], now);
  return job === NO_ROOM ? null : (job ?? null);
}

/** A request `createWithConversions` had no room left for. */
export const NO_ROOM = 'no room';

/**
 * `createWithConversion` for several requests in one transaction: a burst of submissions costs
 * one commit instead of one each. Each gets its job or null, in order; at most `room` new
 * conversions are made; a request after that gets NO_ROOM, inserting nothing, unless it can join
 * identical work in progress.
 */
export function createWithConversions(
  db: Db,
  works: readonly NewWork[],
  now: Timestamp,
  room = works.length,
): Promise<(Job | null | typeof NO_ROOM)[]> {
  return inTransaction(db, async (trx) => {
    const jobs: (Job | null | typeof NO_ROOM)[] = [];
    let made = 0;
    for (const work of works) {
      const job = made < room ? await insertWork(trx, work, now) : await noRoomFor(trx, work, now);
      if (job !== null && job !== NO_ROOM) made++;
      jobs.push(job);
    }
    return jobs;
  });
}

/** Null (the caller joins it) when identical work is already queued or running: joining needs no room. */
async function noRoomFor(trx: Db, { input }: NewWork, now: Timestamp): Promise<null | typeof NO_ROOM> {
  if (input.options_key == null) return NO_ROOM;
  return (await findExisting(trx, input.options_key, now)).active ? null : NO_ROOM;
}

async function insertWork(trx: Db, { input, contact }: NewWork, now: Timestamp): Promise<Job | null> {
  const [row] = await insertConversionRow(trx, conversionRow(input, now));
  if (row === undefined) return null;
  return { ...(await insertJob(trx, row.id, contact, now)), conversion: insertedConversion(row, input) };
}

/** Nothing, when identical work is queued or running (the partial unique index on options_key). */
const insertConversionRow = compiledOnce((db, row: NewConversionRow) =>
  db
    .insertInto('conversions')
    .values(row)
    // Literal SQL, not bound parameters: SQLite finds the partial index only by a matching WHERE.
    .onConflict((oc) => oc.column('options_key').where(sql<boolean>`status in ('queued', 'running')`).doNothing())
    .returningAll(),
);

/** A new job on work still queued or running; null when it ended meanwhile. */
export function attachToActive(db: Db, conversionId: string, contact: Contact, now = Date.now()) {
  return inTransaction(db, async (trx) => {
    const joined = await trx
      .updateTable('conversions')
      .set({ active_jobs: (eb) => eb('active_jobs', '+', 1) })
      .where('id', '=', conversionId)
      .where('status', 'in', ACTIVE)
      .executeTakeFirst();
    if (joined.numUpdatedRows === 0n) return null;
    return withConversion(trx, await insertJob(trx, conversionId, contact, now));
  });
}

/**
 * A new job on finished work whose files are kept at `now`; the files are then kept at least
 * until `keepUntil`, so the new requester gets the full retention time. Null when they expired.
 */
export function attachToDone(db: Db, conversionId: string, contact: Contact, keepUntil: Timestamp, now = Date.now()) {
  return inTransaction(db, async (trx) => {
    const kept = await trx
      .updateTable('conversions')
      .set({ expires_at: sql<number>`case when expires_at < ${keepUntil} then ${keepUntil} else expires_at end` })
      .where('id', '=', conversionId)
      .where('status', '=', 'done')
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (kept.numUpdatedRows === 0n) return null;
    return withConversion(trx, await insertJob(trx, conversionId, contact, now));
  });
}

async function withConversion(db: Db, row: JobRow): Promise<Job> {
  const conversion = await getConversion(db, row.conversion_id);
  if (conversion === null) throw new Error(`job ${row.id} points at no conversion`);
  return { ...row, conversion };
}

export async function getJob(db: Db, id: string): Promise<Job | null> {
  const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : withConversion(db, row);
}

/** The jobs of these ids, in the order given; unknown ids are left out. Two queries, whatever the count. */
export async function getJobs(db: Db, ids: readonly string[]): Promise<Job[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('jobs').selectAll().where('id', 'in', ids).execute();
  const work = await getConversions(db, [...new Set(rows.map((row) => row.conversion_id))]);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    const conversion = row && work.get(row.conversion_id);
    return row && conversion ? [{ ...row, conversion }] : [];
  });
}

/** Which conversion a job points at (for following its changes), or null for an unknown job. */
export async function conversionOf(db: Db, jobId: string): Promise<string | null> {
  const row = await db.selectFrom('jobs').select('conversion_id').where('id', '=', jobId).executeTakeFirst();
  return row?.conversion_id ?? null;
}

/**
 * One requester leaves work that is still queued or running. Returns null when there was nothing
 * to cancel (unknown, already cancelled, or the work had ended), else whether the work itself was
 * stopped because nobody else wants it. Stopped work keeps the files of the playlist entries it
 * finished until `keepUntil`.
 */
export function cancelJob(
  db: Db,
  id: string,
  keepUntil: Timestamp,
  now: Timestamp = Date.now(),
): Promise<{ stopped: boolean } | null> {
  return inTransaction(db, async (trx) => {
    const job = await trx
      .updateTable('jobs')
      .set({ cancelled_at: now })
      .where('id', '=', id)
      .where('cancelled_at', 'is', null)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('conversions')
            .select('conversions.id')
            .whereRef('conversions.id', '=', 'jobs.conversion_id')
            .where('conversions.status', 'in', ACTIVE),
        ),
      )
      .returning('conversion_id')
      .executeTakeFirst();
    if (job === undefined) return null;
    const last = sql<boolean>`active_jobs <= 1`;
    const work = await trx
      .updateTable('conversions')
      .set({
        active_jobs: (eb) => eb('active_jobs', '-', 1),
        status: sql`case when ${last} then 'cancelled' else status end`,
        eta: sql`case when ${last} then null else eta end`,
        finished_at: sql`case when ${last} then ${now} else finished_at end`,
        expires_at: sql`case when ${last} then ${keepUntil} else expires_at end`,
        updated_at: now,
      })
      .where('id', '=', job.conversion_id)
      .where('status', 'in', ACTIVE)
      .returning(['status', 'entries'])
      .executeTakeFirst();
    const stopped = work?.status === 'cancelled';
    if (stopped && work.entries !== null) await stopEntries(trx, job.conversion_id, work.entries);
    return { stopped };
  });
}

/**
 * A cancelled playlist's entries as they ended: the one under way cancelled, those not begun
 * skipped (its worker's own report of them is refused, since the work is no longer its).
 */
async function stopEntries(trx: Db, conversionId: string, stored: string): Promise<void> {
  const entries = (JSON.parse(stored) as EntryState[]).map((entry): EntryState => {
    if (entry.status === 'running') return { ...entry, status: 'cancelled' };
    return entry.status === 'queued' ? { ...entry, status: 'skipped' } : entry;
  });
  await trx
    .updateTable('conversions')
    .set({ entries: JSON.stringify(entries) })
    .where('id', '=', conversionId)
    .execute();
}

/** Every job that asked for this conversion, for the logs. */
export async function jobIdsOf(db: Db, conversionId: string): Promise<string[]> {
  const rows = await db.selectFrom('jobs').select('id').where('conversion_id', '=', conversionId).execute();
  return rows.map((r) => r.id);
}

/** A job to tell that its work ended, and how. */
export type JobToNotify = Contact & { id: string };

/** The jobs to tell that their work ended: those not cancelled (the instance's webhook hears of each). */
export async function jobsToNotify(db: Db, conversionId: string): Promise<JobToNotify[]> {
  return db
    .selectFrom('jobs')
    .select(['id', 'email', 'webhook_url'])
    .where('conversion_id', '=', conversionId)
    .where('cancelled_at', 'is', null)
    .orderBy('created_at')
    .execute();
}

/** Why the job's email could not be sent, once its retries are used up. */
export async function recordEmailFailure(db: Db, id: string, message: string): Promise<void> {
  await db.updateTable('jobs').set({ email_error: message }).where('id', '=', id).execute();
}

/** Why a webhook call for the job could not be delivered, once its retries are used up. */
export async function recordWebhookFailure(db: Db, id: string, message: string): Promise<void> {
  await db.updateTable('jobs').set({ webhook_error: message }).where('id', '=', id).execute();
}

/** The jobs a search matches, for listJobs and countJobs to share. */
function matching(db: Db, filter: JobSearch) {
  let query = db.selectFrom('jobs').innerJoin('conversions', 'conversions.id', 'jobs.conversion_id');
  if (filter.status !== undefined) query = query.where((eb) => hasStatus(eb, filter.status as JobStatus));
  if (filter.search !== undefined && filter.search.trim() !== '') {
    const text = filter.search.trim();
    const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
    // lower() on both sides: LIKE ignores case on SQLite but not on PostgreSQL.
    const like = (column: 'conversions.title' | 'conversions.source_url' | 'jobs.email') =>
      sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
    query = query.where((eb) =>
      eb.or([eb('jobs.id', '=', text), like('conversions.title'), like('conversions.source_url'), like('jobs.email')]),
    );
  }
  return query;
}

/** jobStatus as SQL. */
function hasStatus(eb: ExpressionBuilder<Database, 'jobs' | 'conversions'>, status: JobStatus) {
  if (status === 'cancelled')
    return eb.or([eb('jobs.cancelled_at', 'is not', null), eb('conversions.status', '=', status)]);
  return eb.and([eb('jobs.cancelled_at', 'is', null), eb('conversions.status', '=', status)]);
}

/** Newest first, for the admin's list. */
export async function listJobs(db: Db, filter: JobFilter): Promise<Job[]> {
  const rows = await matching(db, filter)
    .selectAll('jobs')
    .orderBy('jobs.created_at', 'desc')
    .orderBy('jobs.id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
  return Promise.all(rows.map((row) => withConversion(db, row)));
}

/** How many jobs listJobs would find without limit and offset, for the admin's pagination. */
export async function countJobs(db: Db, filter: JobSearch): Promise<number> {
  const row = await matching(db, filter)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Remove a job; its conversion stays for the caller to remove when no job points at it any more. */
export async function deleteJob(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('jobs').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
