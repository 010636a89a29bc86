/**
 * A conversion's state changes as workers make them. Each is one conditional UPDATE naming the
 * states it may start from, so concurrent workers cannot both win. A worker that takes a
 * conversion gets a fresh fencing token; every later write of that worker names the token, so a
 * worker that lost the conversion (it stalled, another retook it) changes nothing any more.
 *
 *   queued ──take──▶ running ──finish──▶ done
 *     ▲               │  │ (retake when stale: new token)
 *     ├───release─────┤  └──fail──▶ failed
 *     └───park────────┘ (the site turned it away for a while: queued again, saying why)
 *   queued/running ──(last requester cancels, jobs.ts)──▶ cancelled
 *
 * A playlist's entries and their files are written one by one as the worker finishes them; they
 * and the take's cover stay whatever ends the conversion (until it expires; which of them a
 * requester sees is src/jobs/view.ts's rule), except a cover with no file kept beside it; a
 * release or a retake starts them afresh.
 */
import type { ExpressionBuilder, UpdateObject } from 'kysely';
import type { ErrorCode } from '../errors.ts';
import { type Database, type Db, inTransaction } from './database.ts';
import type { NewFileRow } from './tables/conversion-files.ts';
import type { ConversionUpdate, EntryState, JobPhase, ParkCause, Timestamp } from './tables/conversions.ts';

export type FileInput = Omit<NewFileRow, 'id' | 'conversion_id' | 'position'>;

export interface ProgressUpdate {
  phase: JobPhase;
  progress: number | null;
  eta: number | null;
}

export interface SourceInfoUpdate {
  title: string;
  duration: number | null;
  thumbnail: string | null;
  source_site: string;
  source_id: string | null;
}

export interface TakeRules {
  /** A running conversion not written since before this is taken as abandoned by its worker. */
  staleBefore: Timestamp;
  /** Takes allowed in all; a conversion taken this often is not taken again. */
  maxAttempts: number;
}

/** The UPDATE of one conversion, held by the worker whose token this is. */
async function asHolder(db: Db, id: string, token: string, set: UpdateObject<Database, 'conversions'>) {
  const result = await db
    .updateTable('conversions')
    .set(set)
    .where('id', '=', id)
    .where('status', '=', 'running')
    .where('take_token', '=', token)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Take a queued conversion, or retake a running one whose worker stopped writing (killed, or its
 * message came back after a stall). False when another worker holds or took it, when it ended,
 * or when its attempts are used up.
 */
export async function takeConversion(
  db: Db,
  id: string,
  token: string,
  rules: TakeRules,
  now: Timestamp = Date.now(),
): Promise<boolean> {
  const result = await db
    .updateTable('conversions')
    .set({
      status: 'running',
      take_token: token,
      // A cover belongs to the take that made it; this take makes its own.
      cover: null,
      // A parked conversion runs again: it no longer waits.
      park_cause: null,
      park_until: null,
      attempts: (eb) => eb('attempts', '+', 1),
      started_at: now,
      updated_at: now,
    })
    .where('id', '=', id)
    .where('attempts', '<', rules.maxAttempts)
    .where((eb) => unheld(eb, rules))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Queued, or running with no write from its worker since `staleBefore`. */
function unheld(eb: ExpressionBuilder<Database, 'conversions'>, rules: TakeRules) {
  return eb.or([
    eb('status', '=', 'queued'),
    eb.and([eb('status', '=', 'running'), eb('updated_at', '<', rules.staleBefore)]),
  ]);
}

/**
 * Hand a conversion back to the queue (its worker is shutting down): queued again, the take not
 * counted as an attempt, so the next worker starts it afresh. Its progress stays, as the highest
 * the work reached, which the next take holds until it passes it (src/jobs/progress.ts).
 */
export function releaseConversion(db: Db, id: string, token: string, now: Timestamp = Date.now()) {
  return handBack(db, id, token, { updated_at: now });
}

/** Queued again by its holder, the take not counted, what it made forgotten; `set` says more. */
function handBack(db: Db, id: string, token: string, set: UpdateObject<Database, 'conversions'>) {
  return inTransaction(db, async (trx) => {
    const back = await asHolder(trx, id, token, {
      status: 'queued',
      take_token: null,
      cover: null,
      phase: null,
      eta: null,
      entries: null,
      attempts: (eb) => eb('attempts', '-', 1),
      ...set,
    });
    if (back) await forgetFiles(trx, id);
    return back;
  });
}

/**
 * The site turned the holder's conversion away for a while: handed back like a release, waiting
 * for `cause` until `until` (null: until an event such as a yt-dlp update), and counted as parked.
 */
export function parkConversion(
  db: Db,
  id: string,
  token: string,
  park: { cause: ParkCause; until: Timestamp | null },
  now: Timestamp = Date.now(),
) {
  return handBack(db, id, token, {
    park_cause: park.cause,
    park_until: park.until,
    parks: (eb) => eb('parks', '+', 1),
    updated_at: now,
  });
}

/**
 * The conversions parked for `cause` no longer wait for it (a yt-dlp update came): returns them,
 * each once, for the caller to run again; a second call finds none of them.
 */
export async function unparkConversions(db: Db, cause: ParkCause, now: Timestamp = Date.now()) {
  return db
    .updateTable('conversions')
    .set({ park_cause: null, park_until: null, updated_at: now })
    .where('status', '=', 'queued')
    .where('park_cause', '=', cause)
    .returning(['id', 'source_site'])
    .execute();
}

/** False unless this worker still holds the conversion: it was cancelled, or another worker retook it. */
export function updateProgress(db: Db, id: string, token: string, p: ProgressUpdate, now: Timestamp = Date.now()) {
  return asHolder(db, id, token, { phase: p.phase, progress: p.progress, eta: p.eta, updated_at: now });
}

/**
 * A playlist's entries became known to this take: all queued. File rows an earlier take of the
 * same conversion left (it died mid-playlist) are forgotten, since this take makes them anew.
 */
export function startEntries(db: Db, id: string, token: string, entries: readonly EntryState[], now = Date.now()) {
  return inTransaction(db, async (trx) => {
    const held = await asHolder(trx, id, token, { entries: JSON.stringify(entries), updated_at: now });
    if (held) await forgetFiles(trx, id);
    return held;
  });
}

/** One entry started or ended: every entry's state, and the files the entry made, both or neither. */
export function recordEntry(
  db: Db,
  id: string,
  token: string,
  update: { entries: readonly EntryState[]; files: readonly FileInput[] },
  now: Timestamp = Date.now(),
) {
  return inTransaction(db, async (trx) => {
    const held = await asHolder(trx, id, token, { entries: JSON.stringify(update.entries), updated_at: now });
    if (held) await addFiles(trx, id, update.files);
    return held;
  });
}

/** Files after those the conversion already has, in order. */
async function addFiles(trx: Db, id: string, files: readonly FileInput[]): Promise<void> {
  if (files.length === 0) return;
  const last = await trx
    .selectFrom('conversion_files')
    .select((eb) => eb.fn.max('position').as('position'))
    .where('conversion_id', '=', id)
    .executeTakeFirst();
  const next = last?.position === null || last?.position === undefined ? 0 : Number(last.position) + 1;
  await trx
    .insertInto('conversion_files')
    .values(files.map((file, i) => ({ ...file, conversion_id: id, position: next + i })))
    .execute();
}

async function forgetFiles(trx: Db, id: string): Promise<void> {
  await trx.deleteFrom('conversion_files').where('conversion_id', '=', id).execute();
}

/** What the source turned out to be, once yt-dlp or ffprobe said. */
export function setSourceInfo(db: Db, id: string, token: string, info: SourceInfoUpdate, now = Date.now()) {
  return asHolder(db, id, token, { ...info, updated_at: now });
}

/** The square cover this take made, stored at `path` (relative to the storage directory). */
export function setCover(db: Db, id: string, token: string, path: string, now = Date.now()) {
  return asHolder(db, id, token, { cover: path, updated_at: now });
}

/**
 * The cover of a take that ended (failed, or cancelled) keeping no file: nobody is shown it, so it
 * is forgotten. Fenced by the take's token, as the take no longer holds the conversion; true when
 * forgotten (then nothing the take stored is recorded any more).
 */
export async function dropUnkeptCover(db: Db, id: string, token: string): Promise<boolean> {
  const result = await db
    .updateTable('conversions')
    .set({ cover: null })
    .where('id', '=', id)
    .where('take_token', '=', token)
    .where('status', 'in', ['failed', 'cancelled'])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('conversion_files')
            .select('conversion_files.id')
            .whereRef('conversion_files.conversion_id', '=', 'conversions.id'),
        ),
      ),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Mark a held conversion done and record its files not recorded yet, both or neither. The UPDATE comes first: on
 * SQLite it takes the write lock at once, so a busy database waits (busy_timeout) instead of
 * failing a read-then-write upgrade.
 */
export function finishConversion(
  db: Db,
  id: string,
  token: string,
  result: { files: readonly FileInput[]; expiresAt: Timestamp },
  now: Timestamp = Date.now(),
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const set: ConversionUpdate = {
      status: 'done',
      phase: null,
      progress: 1,
      eta: null,
      finished_at: now,
      updated_at: now,
      expires_at: result.expiresAt,
    };
    if (!(await asHolder(trx, id, token, set))) return false;
    await addFiles(trx, id, result.files);
    return true;
  });
}

type Failure = { code: ErrorCode; message: string };

/** A failure; the files of playlist entries finished before it are kept until `expiresAt`. */
const failed = (error: Failure, expiresAt: Timestamp, now: Timestamp): ConversionUpdate => ({
  status: 'failed',
  error_code: error.code,
  error_message: error.message,
  eta: null,
  finished_at: now,
  updated_at: now,
  expires_at: expiresAt,
});

/** The holder's conversion failed. */
export function failConversion(
  db: Db,
  id: string,
  token: string,
  error: Failure,
  expiresAt: Timestamp,
  now: Timestamp = Date.now(),
) {
  return asHolder(db, id, token, failed(error, expiresAt, now));
}

/**
 * Give up on a conversion nobody holds that has used up its attempts (each worker that took it
 * died or stalled). False when it is held, ended meanwhile, or still has attempts left.
 */
export async function abandonConversion(
  db: Db,
  id: string,
  rules: TakeRules,
  error: Failure,
  expiresAt: Timestamp,
  now: Timestamp = Date.now(),
): Promise<boolean> {
  const result = await db
    .updateTable('conversions')
    .set(failed(error, expiresAt, now))
    .where('id', '=', id)
    .where('attempts', '>=', rules.maxAttempts)
    .where((eb) => unheld(eb, rules))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
