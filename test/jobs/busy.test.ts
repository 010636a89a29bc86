/** The cap on waiting work (YTCONV_MAX_QUEUED), through the real service with no worker running. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
before(async () => {
  stack = await startStack({ YTCONV_MAX_QUEUED: '2' });
});
after(() => stack.close());

async function rows(): Promise<number> {
  const row = await stack.services.db
    .selectFrom('conversions')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('a server with as much waiting work as it takes', () => {
  it('refuses new work as busy, creating nothing, but lets requests join waiting work', async () => {
    const first = await stack.jobs.create({ url: stack.site.watchUrl('plain') });
    await stack.jobs.create({ url: stack.site.watchUrl('second') });
    await assert.rejects(stack.jobs.create({ url: stack.site.watchUrl('music') }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'busy');
      assert.match(err.message, /too many conversions waiting/);
      return true;
    });
    assert.equal(await rows(), 2);
    const joined = await stack.jobs.create({ url: stack.site.watchUrl('plain') });
    assert.notEqual(joined.id, first.id);
    assert.equal(joined.status, 'queued');
    assert.equal(await rows(), 2, 'joining adds no work');
  });
});

describe('a burst of requests arriving together', () => {
  it('makes new work up to the room left, lets identical requests share it, and refuses the rest as busy', async () => {
    const burstStack = await startStack({ YTCONV_MAX_QUEUED: '3' });
    try {
      const videos = ['basic', 'music', 'basic', 'second', 'lengthy', 'basic'];
      const answers = await Promise.all(
        videos.map((video) =>
          burstStack.jobs.create({ url: burstStack.site.watchUrl(video) }).then(
            (view) => ({ video, id: view.id, code: null }),
            (err: Error & { code?: string }) => ({ video, id: null, code: err.code ?? 'no code' }),
          ),
        ),
      );
      // Which of the four links comes last is the database's to decide; that exactly one does is not.
      const refused = new Set(answers.filter((a) => a.code !== null).map((a) => a.video));
      assert.equal(refused.size, 1, `refused: ${[...refused].join(', ')}`);
      assert.ok(answers.every((a) => a.code === null || a.code === 'busy'));
      const admitted = answers.flatMap((a) => (a.id ? [a.id] : []));
      const rows = await burstStack.services.db
        .selectFrom('jobs')
        .select(['id', 'conversion_id'])
        .where('id', 'in', admitted)
        .execute();
      assert.equal(rows.length, admitted.length, 'every admitted request has a job of its own');
      assert.equal(new Set(rows.map((r) => r.conversion_id)).size, 3, 'three works, the same link sharing one');
      const made = await burstStack.services.db.selectFrom('conversions').select('id').execute();
      assert.equal(made.length, 3);
    } finally {
      await burstStack.close();
    }
  });
});
