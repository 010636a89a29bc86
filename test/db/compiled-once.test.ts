import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { compiledOnce } from '../../src/db/compiled-once.ts';
import { dialects, useDatabase } from './dialects.ts';
import { T0 } from './fixtures.ts';

const insertSite = compiledOnce((db, row: { site: string; paused_until: number | null; bot_walls?: number }) =>
  db.insertInto('site_states').values(row).returning(['site', 'paused_until', 'bot_walls']),
);
const pausedAfter = compiledOnce((db, v: { now: number }) =>
  db.selectFrom('site_states').select('site').where('paused_until', '>', v.now).orderBy('site'),
);

for (const dialect of dialects()) {
  describe(`queries compiled once, on ${dialect.name}`, () => {
    const t = useDatabase(dialect);

    it("run with each call's own values, inside a transaction too", async () => {
      assert.deepEqual(await insertSite(t.db, { site: 'a', paused_until: T0 + 10, bot_walls: 3 }), [
        { site: 'a', paused_until: T0 + 10, bot_walls: 3 },
      ]);
      const inTransaction = await t.db
        .transaction()
        .execute((trx) => insertSite(trx, { site: 'b', paused_until: null, bot_walls: 2 }));
      assert.deepEqual(inTransaction, [{ site: 'b', paused_until: null, bot_walls: 2 }]);
      // An undefined value leaves its column to its default, as the query builder does.
      assert.deepEqual(await insertSite(t.db, { site: 'c', paused_until: T0 + 20, bot_walls: undefined }), [
        { site: 'c', paused_until: T0 + 20, bot_walls: 0 },
      ]);
      const sites = async (now: number) => (await pausedAfter(t.db, { now })).map((row) => row.site);
      assert.deepEqual(await sites(T0), ['a', 'c']);
      assert.deepEqual(await sites(T0 + 15), ['c']);
      assert.deepEqual(await sites(T0 + 20), []);
    });

    it('refuse a query that would keep a value in its SQL text', async () => {
      const inlined = compiledOnce((db, v: { site: string }) =>
        db
          .selectFrom('site_states')
          .selectAll()
          .where(sql<boolean>`site = ${sql.lit(v.site)}`),
      );
      await assert.rejects(inlined(t.db, { site: 'a' }), /site is not a bound parameter/);
    });
  });
}
