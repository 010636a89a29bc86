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
