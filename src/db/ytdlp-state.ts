/**
 * The row saying which yt-dlp the workers use. Every change is one conditional UPDATE: a check
 * holds the row's claim (token and deadline) while it downloads and tries a release, and only the
 * holder records its outcome; a switch also requires that the current version is still the one
 * the check started from, so a rollback made meanwhile is not undone.
 */
import type { Db } from './database.ts';
import type { Timestamp } from './tables/conversions.ts';
import type { YtdlpStateRow, YtdlpStateUpdate } from './tables/ytdlp-state.ts';

export type YtdlpState = Omit<YtdlpStateRow, 'id' | 'check_token' | 'check_until'>;

/** A yt-dlp in shared storage. */
export interface Installed {
  version: string;
  /** Relative to the storage root. */
  path: string;
  sha256: string;
}

export interface CheckRecord {
  outcome: string;
  message: string;
  canary?: { version: string; error: string | null; message: string };
  /** Switch every worker to it. */
  installed?: Installed;
}

export async function readYtdlpState(db: Db): Promise<YtdlpState> {
  const {
    id: _,
    check_token: __,
    check_until: ___,
    ...state
  } = await db.selectFrom('ytdlp_state').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
  return state;
}

/** False when another check holds the row and has not run out of time. */
export async function claimCheck(db: Db, token: string, until: Timestamp, now: Timestamp = Date.now()) {
  const result = await db
    .updateTable('ytdlp_state')
    .set({ check_token: token, check_until: until })
    .where('id', '=', 1)
    .where((eb) => eb.or([eb('check_until', 'is', null), eb('check_until', '<', now)]))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Record a check's outcome and give up its claim; with `installed`, switch to it (the current one
 * becomes the previous). False, changing nothing, when the claim was lost or, for a switch, the
 * current version is no longer `from` (its sha256).
 */
export async function finishCheck(
  db: Db,
  token: string,
  record: CheckRecord,
  from: string | null,
  now: Timestamp = Date.now(),
): Promise<boolean> {
  const { outcome, message, canary, installed } = record;
  const set: YtdlpStateUpdate = {
    checked_at: now,
    check_outcome: outcome,
    check_message: message,
    check_token: null,
    check_until: null,
    ...(canary && {
      canary_at: now,
      canary_version: canary.version,
      canary_error: canary.error,
      canary_message: canary.message,
    }),
  };
  let query = db.updateTable('ytdlp_state').where('id', '=', 1).where('check_token', '=', token);
  if (installed) {
    query = query.where('current_sha256', from === null ? 'is' : '=', from);
    query = query.set((eb) => ({
      previous_version: eb.ref('current_version'),
      previous_path: eb.ref('current_path'),
      previous_sha256: eb.ref('current_sha256'),
    }));
    Object.assign(set, {
      current_version: installed.version,
      current_path: installed.path,
      current_sha256: installed.sha256,
      current_since: now,
      current_how: 'update',
    });
  }
  const result = await query.set(set).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Swap the current and the previous version; the release rolled back from is refused by later
 * checks. Null when there is no previous version.
 */
export async function rollBack(db: Db, now: Timestamp = Date.now()): Promise<YtdlpState | null> {
  const result = await db
    .updateTable('ytdlp_state')
    .set((eb) => ({
      current_version: eb.ref('previous_version'),
      current_path: eb.ref('previous_path'),
      current_sha256: eb.ref('previous_sha256'),
      previous_version: eb.ref('current_version'),
      previous_path: eb.ref('current_path'),
      previous_sha256: eb.ref('current_sha256'),
      refused_sha256: eb.ref('current_sha256'),
      current_since: now,
      current_how: 'rollback',
    }))
    .where('id', '=', 1)
    .where('previous_path', 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n ? readYtdlpState(db) : null;
}
