/**
 * Which yt-dlp a conversion starts with: the version the service switched to (ytdlp-updates.ts),
 * else the configured one (YTCONV_YTDLP, var/bin/yt-dlp, the system's). Asked once per conversion,
 * when it starts, and never again during it; the answer is kept for a few seconds, so that a busy
 * worker does not read the row for every job, and a switch reaches every worker within that time.
 */
import { access, constants } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { readYtdlpState } from '../db/ytdlp-state.ts';
import type { Logger } from '../log.ts';
import type { Storage } from '../storage.ts';

export const CURRENT_TTL_MS = 5_000;

export interface CurrentDeps {
  db: Kysely<Database>;
  storage: Storage;
  /** The configured yt-dlp. */
  fallback: string;
  /** False when YTCONV_YTDLP names the yt-dlp to use: the service's versions are never used. */
  managed: boolean;
  log: Logger;
}

/** A function answering the yt-dlp path a conversion starting now uses. */
export function currentYtdlp(deps: CurrentDeps, ttlMs = CURRENT_TTL_MS): () => Promise<string> {
  if (!deps.managed) return async () => deps.fallback;
  let known: { path: string; at: number } | null = null;
  return async () => {
    const now = Date.now();
    if (known !== null && now - known.at < ttlMs) return known.path;
    known = { path: await lookUp(deps), at: now };
    return known.path;
  };
}

async function lookUp(deps: CurrentDeps): Promise<string> {
  try {
    const { current_path } = await readYtdlpState(deps.db);
    if (current_path === null) return deps.fallback;
    const path = deps.storage.resolve(current_path);
    await access(path, constants.X_OK);
    return path;
  } catch (err) {
    // A storage mount that is away must not stop conversions: the configured yt-dlp still works.
    deps.log.warn(
      { error: (err as Error).message },
      'the yt-dlp the service installed cannot be used; using the configured one',
    );
    return deps.fallback;
  }
}
