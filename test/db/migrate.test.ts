import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { NO_MIGRATIONS } from 'kysely/migration';
import { conversionRow } from '../../src/db/conversions.ts';
import { migrate, migrator } from '../../src/db/migrate.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { dialects, useDatabase } from './dialects.ts';
import { conversionInput, T0 } from './fixtures.ts';

const ALL = Object.keys(migrations);
const TABLES = ['admins', 'conversion_files', 'conversions', 'jobs', 'ytdlp_state'];

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

    it('turns each existing job into a job of its own over a conversion of the same id, files and all', async () => {
      assert.equal((await migrator(t.db).migrateTo('2026-11-24-002-entries-and-email')).error, undefined);
      // biome-ignore lint/suspicious/noExplicitAny: the old schema is not today's Database type.
      const old = t.db as Kysely<any>;
      const base = { source_kind: 'url', source_url: 'https://www.youtube.com/watch?v=x', options: '{}', attempts: 1 };
      await old
        .insertInto('jobs')
        .values([
          { ...base, id: 'done-job', status: 'done', options_key: 'k1', created_at: 1, updated_at: 5, expires_at: 9 },
          {
            ...base,
            id: 'gone-job',
            status: 'cancelled',
            email: 'a@x.org',
            created_at: 2,
            updated_at: 6,
            finished_at: 6,
          },
          { ...base, id: 'live-job', status: 'running', options_key: 'k2', created_at: 3, updated_at: 7 },
        ])
        .execute();
      const file = { name: 'a.mp3', path: 'jobs/done-job/a.mp3', size: 10, duration: 1, format: 'mp3', bitrate: 1 };
      await old
        .insertInto('job_files')
        .values({ ...file, job_id: 'done-job', position: 0 })
        .execute();
      assert.equal((await migrate(t.db)).ok, true);

      const jobs = await t.db.selectFrom('jobs').selectAll().orderBy('created_at').execute();
      assert.deepEqual(
        jobs.map((j) => [j.id, j.conversion_id, j.email, j.cancelled_at]),
        [
          ['done-job', 'done-job', null, null],
          ['gone-job', 'gone-job', 'a@x.org', 6],
          ['live-job', 'live-job', null, null],
        ],
      );
      const work = await t.db.selectFrom('conversions').selectAll().orderBy('created_at').execute();
      assert.deepEqual(
        work.map((c) => [c.id, c.status, c.options_key, c.active_jobs, c.expires_at, c.take_token]),
        [
          ['done-job', 'done', 'k1', 0, 9, null],
          ['gone-job', 'cancelled', null, 0, null, null],
          ['live-job', 'running', 'k2', 1, null, null],
        ],
      );
      const files = await t.db.selectFrom('conversion_files').selectAll().execute();
      assert.deepEqual(
        files.map(({ id: _, ...f }) => f),
        [
          {
            ...file,
            conversion_id: 'done-job',
            position: 0,
            entry: null,
            truncated_at: null,
            truncated_of: null,
            title: null,
            artist: null,
            unsplit: 0,
            sponsorblock: null,
          },
        ],
      );
    });

    it('keeps stored playlist entries as states by position, and back', async () => {
      assert.equal((await migrator(t.db).migrateTo('2026-12-02-003-shared-conversions')).error, undefined);
      const error = { code: 'unavailable', message: 'Private.' };
      const old = [
        { title: 'One', url: 'https://v/1', status: 'done', progress: 1, error: null },
        { title: null, url: 'https://v/2', status: 'failed', progress: null, error },
      ];
      const row = { ...conversionRow(conversionInput(), T0), status: 'done' as const, entries: JSON.stringify(old) };
      await t.db.insertInto('conversions').values(row).execute();
      const entries = async () =>
        JSON.parse((await t.db.selectFrom('conversions').select('entries').executeTakeFirstOrThrow()).entries ?? '');
      assert.equal((await migrate(t.db)).ok, true);
      assert.deepEqual(await entries(), [
        { title: 'One', status: 'done', error: null, finished_at: null },
        { title: null, status: 'failed', error, finished_at: null },
      ]);
      // Down through 004 (006 and 005 come off first).
      assert.equal((await migrator(t.db).migrateTo('2026-12-02-003-shared-conversions')).error, undefined);
      assert.deepEqual(await entries(), [
        { title: 'One', url: '', status: 'done', progress: 1, error: null },
        { title: null, url: '', status: 'failed', progress: null, error },
      ]);
    });

    it('adds the conversions’ cover column in 005, and takes it away again', async () => {
      const columns = async () => {
        const found = await t.db.introspection.getTables();
        return found.find((table) => table.name === 'conversions')?.columns.map((c) => c.name) ?? [];
      };
      await migrate(t.db);
      assert.ok((await columns()).includes('cover'));
      const down = await migrator(t.db).migrateTo('2026-12-02-004-entry-files');
      // Every migration from 005 on, newest first.
      const since005 = ALL.slice(ALL.indexOf('2026-12-02-005-covers'));
      assert.deepEqual(
        down.results?.map((r) => [r.migrationName, r.status]),
        since005.toReversed().map((name) => [name, 'Success']),
      );
      assert.ok(!(await columns()).includes('cover'));
      assert.ok((await columns()).includes('entries'));
      assert.deepEqual(await migrate(t.db), { ok: true, applied: since005 });
    });

    it('adds parking to conversions and the sites’ table in 008, and takes them away again', async () => {
      const schema = async () => {
        const found = await t.db.introspection.getTables();
        const conversions = found.find((table) => table.name === 'conversions')?.columns.map((c) => c.name) ?? [];
        return { conversions, sites: found.some((table) => table.name === 'site_states') };
      };
      await migrate(t.db);
      const parking = ['park_cause', 'park_until', 'parks'];
      assert.deepEqual(await schema().then((s) => [parking.every((c) => s.conversions.includes(c)), s.sites]), [
        true,
        true,
      ]);
      const since008 = ALL.slice(ALL.indexOf('2026-12-03-008-site-pauses'));
      assert.equal((await migrator(t.db).migrateTo('2026-12-03-007-ytdlp-state')).error, undefined);
      const down = await schema();
      assert.deepEqual([parking.some((c) => down.conversions.includes(c)), down.sites], [false, false]);
      assert.deepEqual(await migrate(t.db), { ok: true, applied: since008 });
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
