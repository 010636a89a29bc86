import type { Selectable } from 'kysely';
import type { Timestamp } from './conversions.ts';

/** A key for the API (YTCONV_ACCESS=apikey). The key itself is never stored, only its hash. */
export interface ApiKeysTable {
  /** A random public id, shown in lists; unrelated to the key. */
  id: string;
  name: string;
  /** SHA-256 of the key, hex (see jobs/access.ts for why not scrypt). */
  key_hash: string;
  /** New jobs the key may make per `rate_window_sec`; both null for no limit. */
  rate_max: number | null;
  rate_window_sec: number | null;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
}

export type ApiKeyRow = Selectable<ApiKeysTable>;
