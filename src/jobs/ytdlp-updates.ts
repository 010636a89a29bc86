/**
 * yt-dlp kept fresh by the service. A check (daily, by a BullMQ job scheduler, or `ytconv ytdlp
 * update`) reads the release's published checksum; a release it has not seen is downloaded into
 * shared storage (`ytdlp/<version>/yt-dlp`), must pass the canary (extracting a known video exactly
 * as a conversion would), and only then becomes every worker's yt-dlp. The database row
 * (db/ytdlp-state.ts) is the truth: which version, the previous one (kept for `ytconv ytdlp
 * rollback`), the last check and the last canary. Workers read it when a conversion starts
 * (ytdlp-current.ts), so a switch never lands in the middle of a job.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import type { YtdlpUpdateSettings } from '../config.ts';
import { newId } from '../db/conversions.ts';
import type { Database } from '../db/database.ts';
import {
  type CheckRecord,
  claimCheck,
  finishCheck,
  readYtdlpState,
  rollBack,
  type YtdlpState,
} from '../db/ytdlp-state.ts';
import { asConvertError } from '../errors.ts';
import { failureDetails, type Logger } from '../log.ts';
import { ytdlpInfo } from '../pipeline/tools.ts';
import type { Engine } from '../pipeline/types.ts';
import { downloadRelease, ReleaseError, releaseChecksum, runCanary, sha256File } from '../pipeline/ytdlp-release.ts';
import type { Storage } from '../storage.ts';
import { canaryFailedNotice, type TellOperator } from './operator-notices.ts';

/** What a check can end with (recorded in the database, shown by `ytconv ytdlp status`). */
export const CHECK_OUTCOMES = [
  'switched',
  'up_to_date',
  'refused',
  'canary_failed',
  'checksum_mismatch',
  'download_failed',
] as const;
export type CheckOutcome = (typeof CHECK_OUTCOMES)[number];

/** What a check that did nothing says, recorded nowhere. */
export type Skipped = 'off' | 'pinned' | 'recent' | 'busy';

export interface UpdateDeps {
  db: Kysely<Database>;
  storage: Storage;
  /** The engine conversions run with: the canary uses its settings, and its yt-dlp is the fallback. */
  engine: Engine;
  settings: YtdlpUpdateSettings;
  log: Logger;
  /** Told after every switch (an update or a rollback), once every worker will use the new one. */
  onSwitched?: (state: YtdlpState) => Promise<void>;
  /** Tell the operator of a new yt-dlp that failed its canary (operator-notices.ts). */
  tellOperator?: TellOperator;
}

/** A check every day; one that finds the last check this recent leaves it at that. */
export const CHECK_EVERY_MS = 24 * 3_600_000;
const RECENT_MS = CHECK_EVERY_MS - 3_600_000;
/** A check holds the row this long at most: a download and a canary, with room to spare. */
const CHECK_LEASE_MS = 15 * 60_000;
/** Where installed versions live, under the storage root. */
const FOLDER = 'ytdlp';
/** A version names a folder: nothing else than what yt-dlp's versions are made of. */
const VERSION = /^[\w.+-]{1,64}$/;

export interface CheckResult {
  outcome: CheckOutcome | Skipped;
  message: string;
}

/** One check; `scheduled` ones skip when a check ran in the last day (someone ran `update` by hand). */
export async function checkForUpdate(deps: UpdateDeps, opts: { scheduled: boolean }): Promise<CheckResult> {
  const { db, settings } = deps;
  if (settings.off !== null) return { outcome: 'off', message: `Updates are off (${settings.off}).` };
  const state = await readYtdlpState(db);
  if (settings.pin !== null && state.current_version === settings.pin) {
    return { outcome: 'pinned', message: `yt-dlp is pinned to ${settings.pin} (YTCONV_YTDLP_PIN), which is in use.` };
  }
  const now = Date.now();
  if (opts.scheduled && state.checked_at !== null && now - state.checked_at < RECENT_MS) {
    return { outcome: 'recent', message: 'yt-dlp was checked less than a day ago.' };
  }
  const token = newId();
  if (!(await claimCheck(db, token, now + CHECK_LEASE_MS, now))) {
    return { outcome: 'busy', message: 'Another check of yt-dlp is running.' };
  }
  const record = await attempt(deps, state).catch((err: unknown): CheckRecord => {
    deps.log.warn(failureDetails(err), 'the yt-dlp check failed');
    const outcome = err instanceof ReleaseError ? err.outcome : 'download_failed';
    return { outcome, message: err instanceof ReleaseError ? err.message : 'The new yt-dlp could not be installed.' };
  });
  if (!(await finishCheck(db, token, record, state.current_sha256))) {
    return { outcome: 'busy', message: 'Another check or a rollback changed yt-dlp meanwhile; nothing was switched.' };
  }
  const level = record.outcome === 'switched' || record.outcome === 'up_to_date' ? 'info' : 'warn';
  deps.log[level]({ outcome: record.outcome, canary: record.canary }, record.message);
  if (record.outcome === 'canary_failed' && record.canary?.error) {
    await deps.tellOperator?.(canaryFailedNotice(record.canary.version, record.canary.error, record.message));
  }
  if (record.installed) await switched(deps);
  return { outcome: record.outcome as CheckOutcome, message: record.message };
}

/** Back to the previous version; null when there is none. */
export async function rollBackYtdlp(deps: UpdateDeps): Promise<YtdlpState | null> {
  const state = await rollBack(deps.db);
  if (state === null) return null;
  deps.log.info({ version: state.current_version, from: state.previous_version }, 'rolled yt-dlp back');
  await afterSwitch(deps, state);
  return state;
}

async function attempt(deps: UpdateDeps, state: YtdlpState): Promise<CheckRecord> {
  const { settings, storage, engine } = deps;
  const sha256 = await releaseChecksum(settings.releases);
  const current = state.current_version ?? 'the configured yt-dlp';
  if (sha256 === state.current_sha256) return upToDate(`yt-dlp ${current} is the newest release.`);
  if (sha256 === state.refused_sha256) {
    return { outcome: 'refused', message: 'The newest release is the one rolled back from: waiting for a newer one.' };
  }
  if (state.current_sha256 === null && (await sha256File(engine.tools.ytdlp)) === sha256) {
    return upToDate(`The configured yt-dlp (${engine.tools.ytdlp}) is the newest release.`);
  }
  const folder = join(storage.root, FOLDER);
  await mkdir(folder, { recursive: true });
  const file = await install(folder, await downloadRelease(settings.releases, sha256, folder), deps, state);
  const version = file.version;
  try {
    await runCanary(engine, file.path, settings.canaryUrl);
  } catch (err) {
    const e = asConvertError(err);
    deps.log.warn({ version, code: e.code, ...failureDetails(err) }, 'the new yt-dlp failed the canary');
    await rm(dirname(file.path), { recursive: true, force: true });
    return {
      outcome: 'canary_failed',
      message: `yt-dlp ${version} failed the canary (${e.code}: ${e.message}); keeping ${current}.`,
      canary: { version, error: e.code, message: e.message },
    };
  }
  return {
    outcome: 'switched',
    message: `Switched from ${current} to yt-dlp ${version}.`,
    canary: { version, error: null, message: `Extracted ${settings.canaryUrl}.` },
    installed: { version, path: storage.relative(file.path), sha256 },
  };
}

function upToDate(message: string): CheckRecord {
  return { outcome: 'up_to_date', message };
}

/**
 * Move a verified download into a folder named for its version. A version already installed under
 * that name (a re-published release) gets a folder of its own, so the one in use is never replaced.
 */
async function install(
  folder: string,
  download: string,
  deps: UpdateDeps,
  state: YtdlpState,
): Promise<{ version: string; path: string }> {
  let version: string;
  try {
    version = (await ytdlpInfo(download, { cacheDir: null, env: deps.engine.tools.env })).version;
    if (!VERSION.test(version)) throw new Error(`an unexpected version: ${JSON.stringify(version.slice(0, 80))}`);
  } catch (err) {
    await rm(download, { force: true });
    throw new ReleaseError('download_failed', 'The downloaded yt-dlp does not run.', { cause: err });
  }
  const inUse = [state.current_version, state.previous_version].includes(version);
  const name = inUse ? `${version}-${newId().slice(0, 8)}` : version;
  const path = join(folder, name, 'yt-dlp');
  await mkdir(dirname(path), { recursive: true });
  await rename(download, path);
  return { version, path };
}

/** After an update: versions older than the previous one go, then whoever waits for a switch hears. */
async function switched(deps: UpdateDeps): Promise<void> {
  const state = await readYtdlpState(deps.db);
  const keep = new Set([state.current_path, state.previous_path].map((path) => path && dirname(path)));
  const folder = join(deps.storage.root, FOLDER);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    // Dot names are downloads of a check running now.
    if (!entry.isDirectory() || entry.name.startsWith('.') || keep.has(join(FOLDER, entry.name))) continue;
    await rm(join(folder, entry.name), { recursive: true, force: true });
  }
  await afterSwitch(deps, state);
}

/**
 * The one place that runs after every switch (update or rollback): the caller's onSwitched, which
 * runs again the conversions parked because the old yt-dlp's extractor was broken (parking.ts).
 */
async function afterSwitch(deps: UpdateDeps, state: YtdlpState): Promise<void> {
  try {
    await deps.onSwitched?.(state);
  } catch (err) {
    deps.log.error(failureDetails(err), 'what follows a yt-dlp switch failed');
  }
}
