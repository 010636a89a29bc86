/**
 * The cookies pool as several workers share it through the database: two pools stand for two
 * workers (on two machines, say) with the same files. Runs on SQLite, and on PostgreSQL too when
 * DATABASE_URL names one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { putCookiesBack } from '../../src/db/cookies-pool.ts';
import { cookiesStatus, withSharedCookies } from '../../src/jobs/cookies-pool.ts';
import { createLogger } from '../../src/log.ts';
import { memoryCookiesPool } from '../../src/pipeline/cookies.ts';
import type { Engine } from '../../src/pipeline/types.ts';
import { dialects, useDatabase } from '../db/dialects.ts';

const FILES = ['/srv/a/alice.txt', '/srv/a/bob.txt', '/srv/a/carol.txt'];

for (const dialect of dialects()) {
  describe(`the shared cookies pool on ${dialect.name}`, () => {
    const t = useDatabase(dialect);

    /** A worker's pool: the configuration's, kept in the test's database. */
    function worker(files = FILES, setAsideSec: number | null = null) {
      const engine = { cookies: memoryCookiesPool(files, setAsideSec) } as Engine;
      const pool = withSharedCookies(engine, t.db, createLogger('worker', 'silent')).cookies;
      return pool ?? assert.fail('no pool');
    }

    it('takes turns across workers, least recently used first', async () => {
      const [one, two] = [worker(), worker()];
      const lent = [await one.take(), await two.take(), await one.take(), await two.take()];
      assert.deepEqual(lent, [...FILES, FILES[0]]);
    });

    it('never lends one file twice when workers ask at the same moment', async () => {
      const workers = [worker(), worker(), worker()];
      const lent = await Promise.all(workers.map((w) => w.take()));
      assert.deepEqual([...lent].sort(), FILES);
    });

    it('keeps a file that met the bot wall aside on every worker until it is put back', async () => {
      const [one, two] = [worker(), worker()];
      await one.setAside('/srv/a/bob.txt');
      const lent = await Promise.all([1, 2, 3, 4].map(() => two.take()));
      assert.ok(!lent.includes('/srv/a/bob.txt'), String(lent));
      const [bob] = (await cookiesStatus(t.db, FILES)).filter((s) => s.name === 'bob.txt');
      assert.equal(bob?.botWalls, 1);
      assert.equal(bob?.setAside?.until, null);
      assert.equal(await putCookiesBack(t.db, 'bob.txt'), true);
      assert.equal(await two.take(), '/srv/a/bob.txt', 'back in use, and the least recently used');
      assert.equal(await putCookiesBack(t.db, 'nobody.txt'), false);
    });

    it('brings a file back by itself after the configured time, and lends nothing when all are aside', async () => {
      const pool = worker(['/srv/a/alice.txt'], 3600);
      await pool.setAside('/srv/a/alice.txt');
      assert.equal(await pool.take(), null);
      const [alice] = await cookiesStatus(t.db, ['/srv/a/alice.txt'], Date.now() + 3601_000);
      assert.equal(alice?.setAside, null, 'no longer aside an hour later');
    });
  });
}
