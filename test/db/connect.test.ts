import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, parseDatabaseUrl } from '../../src/db/connect.ts';
import { dialects, useDatabase } from './dialects.ts';

describe('parseDatabaseUrl', () => {
  const cases: [string, ReturnType<typeof parseDatabaseUrl>][] = [
    ['./var/ytconv.sqlite3', { kind: 'sqlite', path: resolve('var/ytconv.sqlite3') }],
    ['/srv/ytconv/db.sqlite3', { kind: 'sqlite', path: '/srv/ytconv/db.sqlite3' }],
    ['sqlite:///srv/ytconv/db.sqlite3', { kind: 'sqlite', path: '/srv/ytconv/db.sqlite3' }],
    ['sqlite:var/db.sqlite3', { kind: 'sqlite', path: resolve('var/db.sqlite3') }],
    ['sqlite::memory:', { kind: 'sqlite', path: ':memory:' }],
    ['postgres://u:p@db:5432/ytconv', { kind: 'postgres', url: 'postgres://u:p@db:5432/ytconv' }],
    ['postgresql://db/ytconv?sslmode=require', { kind: 'postgres', url: 'postgresql://db/ytconv?sslmode=require' }],
  ];
  for (const [url, expected] of cases) {
    it(`reads ${url}`, () => assert.deepEqual(parseDatabaseUrl(url), expected));
  }
});

for (const dialect of dialects()) {
  describe(`openDatabase on ${dialect.name}`, () => {
    const t = useDatabase(dialect, { migrated: false });

    it('returns integers beyond 32 bits as exact numbers', async () => {
      const { rows } = await sql<{ n: number }>`select cast(${2 ** 40 + 1} as bigint) as n`.execute(t.db);
      assert.deepEqual(rows, [{ n: 2 ** 40 + 1 }]);
    });
  });
}

describe('openDatabase on a SQLite file', () => {
  const t = useDatabase(dialects()[0]!, { migrated: false });

  it('turns on WAL, a busy timeout and foreign keys', async () => {
    const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(t.db)).rows[0]!)[0];
    assert.equal(await pragma('journal_mode'), 'wal');
    assert.equal(await pragma('busy_timeout'), 5000);
    assert.equal(await pragma('foreign_keys'), 1);
  });

  it('creates the directory the file goes in', async () => {
    const db = openDatabase(`sqlite:${t.url}.d/nested/ytconv.sqlite3`);
    await sql`select 1`.execute(db);
    await db.destroy();
  });
});
