/**
 * Who may use a private instance (YTCONV_ACCESS): people who sign in, and API keys. The web layer
 * asks here whether a session's person still exists and what a key is allowed; the CLI and the
 * admin area make, list and revoke keys here.
 *
 * A key is `ytc_` and 256 random bits. Only its SHA-256 is stored, so the database (or a backup of
 * it) never holds a key that works. Not scrypt, as for passwords: a slow, salted hash protects
 * guessable secrets, while nobody can guess 256 random bits however fast the hash; and a key is
 * checked on every API request, so a deliberately slow hash would hand out CPU to anyone who sends
 * a wrong key, and a salt would prevent finding the key's row by its hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Role } from '../access.ts';
import type { Rate } from '../config.ts';
import { roleOf, verifyAdmin } from '../db/admins.ts';
import {
  type ApiKeyInfo,
  insertApiKey,
  type KeyChoice,
  listApiKeys,
  liveApiKey,
  revokeApiKey,
} from '../db/api-keys.ts';
import type { Database } from '../db/database.ts';
import { ConvertError } from '../errors.ts';

export interface Person {
  username: string;
  role: Role;
}

/** A key as lists show it: never the key itself. Times are milliseconds since the epoch. */
export interface ApiKey {
  id: string;
  name: string;
  /** New jobs it may make per window; null for no limit. */
  rate: Rate | null;
  created_at: number;
  revoked_at: number | null;
}

export interface AccessApi {
  /** The person when the username and password match, else null (whichever was wrong). */
  signIn(username: string, password: string): Promise<Person | null>;
  /** The role of a signed-in person, or null once they were deleted: their sessions end at once. */
  roleOf(username: string): Promise<Role | null>;
  /** The unrevoked key a request presents, or null for a wrong or revoked one. */
  keyFor(key: string): Promise<ApiKey | null>;
  /** A new key: `key` is shown this once and stored nowhere. */
  createKey(name: string, rate: Rate | null): Promise<{ key: string; info: ApiKey }>;
  listKeys(): Promise<ApiKey[]>;
  /** False when no unrevoked key is chosen. */
  revokeKey(which: KeyChoice): Promise<boolean>;
}

const KEY_PREFIX = 'ytc_';
const KEY_BYTES = 32;
/** `ytc_` and 43 base64url characters: anything else is refused before the database is asked. */
const KEY_SHAPE = /^ytc_[\w-]{43}$/;
/** What a key may be named: short, and typed on a command line without trouble. */
const KEY_NAME = /^[\w.@+ -]{1,100}$/;

export function createAccessApi(db: Kysely<Database>): AccessApi {
  return {
    async signIn(username, password) {
      const person = await verifyAdmin(db, username, password);
      return person && { username: person.username, role: person.role };
    },
    roleOf: (username) => roleOf(db, username),
    async keyFor(key) {
      if (!KEY_SHAPE.test(key)) return null;
      const row = await liveApiKey(db, hashKey(key));
      return row && apiKey(row);
    },
    async createKey(name, rate) {
      if (!KEY_NAME.test(name) || name.trim() !== name) {
        throw new ConvertError(
          'invalid_option',
          'A key name is 1 to 100 letters, digits, spaces and @ . + - _, not starting or ending with a space.',
          { field: 'name' },
        );
      }
      const key = `${KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
      const row = {
        id: randomBytes(6).toString('base64url'),
        name,
        key_hash: hashKey(key),
        rate_max: rate?.max ?? null,
        rate_window_sec: rate?.windowSec ?? null,
        created_at: Date.now(),
      };
      if (!(await insertApiKey(db, row))) {
        throw new ConvertError(
          'conflict',
          `There is already a key named "${name}": revoke it first, or pick another name.`,
          {
            field: 'name',
          },
        );
      }
      return { key, info: apiKey({ ...row, revoked_at: null }) };
    },
    listKeys: async () => (await listApiKeys(db)).map(apiKey),
    revokeKey: (which) => revokeApiKey(db, which),
  };
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function apiKey(row: ApiKeyInfo): ApiKey {
  const { rate_max, rate_window_sec, ...rest } = row;
  const rate = rate_max === null || rate_window_sec === null ? null : { max: rate_max, windowSec: rate_window_sec };
  return { ...rest, rate };
}
