/**
 * Each repository test runs on SQLite, and also on PostgreSQL when DATABASE_URL names one. Every
 * test gets a database of its own (a temp file, or a PostgreSQL database made and dropped around it), so no
 * test sees another's rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'node:test';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../src/db/connect.ts';
import type { Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';

interface Scratch {
  url: string;
  remove(): Promise<void>;
}

export interface TestDialect {
  name: 'sqlite' | 'postgres';
  /** A new empty database; `remove` deletes it. */
  scratch(): Promise<Scratch>;
}

const sqlite: TestDialect = {
  name: 'sqlite',
  async scratch() {
    const dir = await mkdtemp(join(tmpdir(), 'ytconv-db-'));
    return { url: join(dir, 'test.sqlite3'), remove: () => rm(dir, { recursive: true, force: true }) };
  },
};

function postgres(serverUrl: string): TestDialect {
  const admin = async (statement: string) => {
    const client = new pg.Client(serverUrl);
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'postgres',
    async scratch() {
      // A database each, not a schema: Kysely's migrator looks for its table in every schema.
      const name = `ytconv_test_${randomBytes(8).toString('hex')}`;
      await admin(`create database ${name}`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return { url: url.href, remove: () => admin(`drop database ${name} with (force)`) };
    },
  };
}

export function dialects(): TestDialect[] {
  const url = process.env.DATABASE_URL;
  return url?.startsWith('postgres') ? [sqlite, postgres(url)] : [sqlite];
}

export interface TestDatabase {
  /** The database of the running test. */
  readonly db: Kysely<Database>;
  readonly url: string;
}

/** Give each test of the enclosing describe a fresh database, migrated unless told otherwise. */
export function useDatabase(dialect: TestDialect, opts: { migrated: boolean } = { migrated: true }): TestDatabase {
  let current: { db: Kysely<Database>; scratch: Scratch } | undefined;
  beforeEach(async () => {
    const scratch = await dialect.scratch();
    const db = openDatabase(scratch.url);
    current = { db, scratch };
    if (!opts.migrated) return;
    const result = await migrate(db);
    if (!result.ok) throw result.error;
  });
  afterEach(async () => {
    await current?.db.destroy();
    await current?.scratch.remove();
    current = undefined;
  });
  const get = () => current ?? assertNever();
  return {
    get db() {
      return get().db;
    },
    get url() {
      return get().scratch.url;
    },
  };
}

function assertNever(): never {
  throw new Error('useDatabase: no database outside a test');
}
