import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { NO_MIGRATIONS } from 'kysely/migration';
import { migrate, migrator } from '../../src/db/migrate.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { dialects, useDatabase } from './dialects.ts';

const ALL = Object.keys(migrations);
const TABLES = ['admins', 'job_files', 'jobs'];

for (const dialect of dialects()) {
  describe(`migrations on ${dialect.name}`, () => {
    const t = useDatabase(dialect, { migrated: false });

    async function tables(): Promise<string[]> {
      const found = await t.db.introspection.getTables();
      return found.map((table) => table.name).filter((name) => TABLES.includes(name));
    }

    it('applies every migration once, in order, then nothing', async () => {
      assert.deepEqual(await migrate(t.db), { ok: true, applied: ALL });
      assert.deepEqual(await tables(), TABLES);
      assert.deepEqual(await migrate(t.db), { ok: true, applied: [] });
    });

    it('goes all the way down and up again', async () => {
      await migrate(t.db);
      const down = await migrator(t.db).migrateTo(NO_MIGRATIONS);
      assert.equal(down.error, undefined);
      assert.deepEqual(await tables(), []);
      assert.deepEqual(await migrate(t.db), { ok: true, applied: ALL });
    });

    it('returns a failure instead of throwing, and leaves no half-made schema', async () => {
      // The initial migration makes admins last, so it fails after making jobs and job_files.
      await t.db.schema.createTable('admins').addColumn('x', 'integer').execute();
      const result = await migrate(t.db);
      assert.equal(result.ok, false);
      assert.deepEqual(result.applied, []);
      assert.match(!result.ok ? result.error.message : '', /^migration 2026-11-24-001-initial failed: /);
      assert.deepEqual(await tables(), ['admins']);
    });
  });
}

describe('ytconv migrate', () => {
  const t = useDatabase(dialects()[0]!, { migrated: false });
  const ytconv = join(import.meta.dirname, '..', '..', 'bin', 'ytconv');
  const run = promisify(execFile);

  it('prints each migration it applies, then that the database is up to date', async () => {
    const env = { ...process.env, DATABASE_URL: t.url };
    assert.equal((await run(ytconv, ['migrate'], { env })).stdout, ALL.map((name) => `applied ${name}\n`).join(''));
    assert.equal((await run(ytconv, ['migrate'], { env })).stdout, 'the database is up to date\n');
  });
});
