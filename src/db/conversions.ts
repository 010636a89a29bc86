/**
 * Reading, creating and deleting conversions (the shared work); the worker's state changes are in
 * conversion-state.ts, a requester's in jobs.ts. Rows come back with `options` and `entries`
 * parsed; timestamps are milliseconds since the epoch.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { storedOptions } from '../options.ts';
import { compiledOnce } from './compiled-once.ts';
import type { Db } from './database.ts';
import type {
  ConversionRow,
  EntryState,
  JobOptions,
  JobStatus,
  NewConversionRow,
  Timestamp,
} from './tables/conversions.ts';

export type Conversion = Omit<ConversionRow, 'options' | 'entries'> & {
  options: JobOptions;
  entries: EntryState[] | null;
};

/** What a caller decides about new work; id, status and times are set here. */
export type ConversionInput = Pick<
  NewConversionRow,
  'source_kind' | 'source_site' | 'source_id' | 'source_url' | 'options_key' | 'title'
> & { options: JobOptions };

/** 16 random bytes: 22 base64url characters, 128 bits nobody can guess. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

export function toConversion(row: ConversionRow): Conversion {
  const entries = row.entries === null ? null : (JSON.parse(row.entries) as EntryState[]);
  return { ...row, options: storedOptions(row.options), entries };
}

/**
 * A row just inserted from `input`: its options are those given, checked already, not read back
 * (a batch's conversions share the one object; nothing changes a conversion's options).
 */
export function insertedConversion(row: ConversionRow, input: ConversionInput): Conversion {
  return { ...row, options: input.options, entries: null };
}

export function conversionRow(input: ConversionInput, now: Timestamp): NewConversionRow {
  const { options, ...rest } = input;
  return {
    ...rest,
    options: JSON.stringify(options),
    id: newId(),
    status: 'queued',
    active_jobs: 1,
    created_at: now,
    updated_at: now,
  };
}

export async function getConversion(db: Db, id: string): Promise<Conversion | null> {
  const row = await db.selectFrom('conversions').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? null : toConversion(row);
}

export async function getConversions(db: Db, ids: readonly string[]): Promise<Map<string, Conversion>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('conversions').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((row) => [row.id, toConversion(row)]));
}

/**
 * What already exists for these options: the conversion queued or running (at most one: a unique
 * index), else the newest finished one whose files are still kept at `now`. One query, since
 * every request asks.
 */
export async function findExisting(db: Db, optionsKey: string, now: Timestamp = Date.now()) {
  const rows = await existingRows(db, { optionsKey, now });
  const all = rows.map(toConversion);
  const newest = (a: Conversion, b: Conversion) =>
    (b.finished_at ?? 0) - (a.finished_at ?? 0) || b.created_at - a.created_at;
  const done = all.filter((c) => c.status === 'done').sort(newest);
  return { active: all.find((c) => c.status !== 'done') ?? null, done: done[0] ?? null };
}

// The rows wanted are few (one active, finished ones still kept: normally one), so they are ordered
// in findExisting. Measured on SQLite, an ORDER BY over whole rows, a bound LIMIT or a bound IN list
// each made this query, the hottest of a submission, 10 times slower (~50 µs against 4, this OR
// included).
const existingRows = compiledOnce((db, v: { optionsKey: string; now: Timestamp }) =>
  db
    .selectFrom('conversions')
    .selectAll()
    .where('options_key', '=', v.optionsKey)
    .where(sql<boolean>`status in ('queued', 'running', 'done') and (status <> 'done' or expires_at > ${v.now})`),
);

/** Conversions in `status`, oldest change first, for the reconciler. */
export async function listByStatus(db: Db, status: JobStatus, limit: number): Promise<Conversion[]> {
  const rows = await db
    .selectFrom('conversions')
    .selectAll()
    .where('status', '=', status)
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  return rows.map(toConversion);
}

/** How many conversions wait for a worker (the service refuses new work above a cap). */
export async function countQueued(db: Db): Promise<number> {
  const row = await db
    .selectFrom('conversions')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('status', '=', 'queued')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Conversions past their expiry that still have files or a cover to remove (a cancelled or failed
 * one may have only its cover).
 */
export async function expiredConversions(db: Db, now: Timestamp = Date.now()): Promise<Conversion[]> {
  const rows = await db
    .selectFrom('conversions')
    .selectAll()
    .where('expires_at', '<=', now)
    .where((eb) =>
      eb.or([
        eb('cover', 'is not', null),
        eb.exists(
          eb
            .selectFrom('conversion_files')
            .select('conversion_files.id')
            .whereRef('conversion_files.conversion_id', '=', 'conversions.id'),
        ),
      ]),
    )
    .orderBy('expires_at')
    .execute();
  return rows.map(toConversion);
}

/** Remove a conversion nobody's job points at any more; its files' rows go by cascade. */
export async function deleteOrphanConversion(db: Db, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('conversions')
    .where('id', '=', id)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('jobs').select('jobs.id').whereRef('jobs.conversion_id', '=', 'conversions.id'))),
    )
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
