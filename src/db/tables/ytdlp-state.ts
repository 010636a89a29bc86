import type { Selectable, Updateable } from 'kysely';
import type { Timestamp } from './conversions.ts';

/** The one row saying which yt-dlp the workers use, what it replaced, and how the last check went. */
export interface YtdlpStateTable {
  id: number;
  /** Null while no version was installed by the service: workers use the configured yt-dlp. */
  current_version: string | null;
  /** Relative to the storage root: `ytdlp/<version>/yt-dlp`. */
  current_path: string | null;
  current_sha256: string | null;
  current_since: Timestamp | null;
  /** `update` or `rollback`. */
  current_how: string | null;
  previous_version: string | null;
  previous_path: string | null;
  previous_sha256: string | null;
  /** A release rolled back from: the check does not switch to it again. */
  refused_sha256: string | null;
  checked_at: Timestamp | null;
  /** One of CHECK_OUTCOMES (src/jobs/ytdlp-updates.ts). */
  check_outcome: string | null;
  check_message: string | null;
  canary_at: Timestamp | null;
  canary_version: string | null;
  /** The error code the canary failed with; null when it passed. */
  canary_error: string | null;
  canary_message: string | null;
  /** Which check runs now, until when: a second check that overlaps it leaves it alone. */
  check_token: string | null;
  check_until: Timestamp | null;
}

export type YtdlpStateRow = Selectable<YtdlpStateTable>;
export type YtdlpStateUpdate = Updateable<YtdlpStateTable>;
