/**
 * Opening the database named by DATABASE_URL: a SQLite file (the default, for one machine) or
 * PostgreSQL (for several hosts). Everything above this module is the same on both.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

export type DatabaseLocation = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** How long a SQLite writer waits for another process's write to finish before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 5000;
const PG_INT8_OID = 20;

/** `postgres://…`, `postgresql://…`, `sqlite:///abs/path`, `sqlite:relative/path`, or a plain path. */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  const path = url.replace(/^sqlite:(\/\/(?=\/))?/i, '');
  return { kind: 'sqlite', path: path === ':memory:' ? path : resolve(path) };
}

export function openDatabase(url: string): Kysely<Database> {
  const location = parseDatabaseUrl(url);
  return new Kysely<Database>({
    dialect: location.kind === 'postgres' ? postgresDialect(location.url) : sqliteDialect(location.path),
  });
}

function sqliteDialect(path: string): SqliteDialect {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new SQLite(path);
  // WAL lets the web process read while a worker writes; busy_timeout makes writers queue
  // instead of failing at once; SQLite leaves foreign keys off unless asked, per connection.
  // With WAL, synchronous=NORMAL syncs at checkpoints rather than at every commit: a killed
  // process still loses nothing, only a power cut can undo the last commits.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  return new SqliteDialect({ database: withStatementCache(db) });
}

/** Statements kept for reuse; a service runs a few dozen distinct queries. */
const STATEMENT_CACHE = 256;

/**
 * Kysely asks for a prepared statement on every query, and preparing (parsing and planning the
 * SQL) was the largest single cost of a request. Statements are reusable, so the most recently
 * used are kept. (Kysely only iterates a statement when streaming, which ytconv never does, so
 * one statement is never in use twice at once.)
 */
function withStatementCache(db: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => db.close(),
    prepare(sql) {
      const kept = cache.get(sql);
      if (kept) {
        // Map order is insertion order: re-inserting marks it the most recently used.
        cache.delete(sql);
        cache.set(sql, kept);
        return kept;
      }
      const statement = db.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
      return statement;
    },
  };
}

function postgresDialect(url: string): PostgresDialect {
  // Timestamps are bigint milliseconds, which pg returns as strings by default; they are far
  // below 2^53, so numbers are exact. Set on this pool only, not globally on the pg module.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === PG_INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({ connectionString: url, types });
  // An idle connection that the server ends (a restart, a failover) must not crash the process:
  // the pool drops it and the next query opens a new one.
  pool.on('error', () => {});
  return new PostgresDialect({ pool });
}
