/** The child-process contract: limits end a child with the flag callers branch on. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { type RunOptions, start, ToolError } from '../../src/pipeline/process.ts';

const TICKER = join(import.meta.dirname, 'fixtures', 'ticker.ts');

/** The ticker through process.ts, each `tick` reported as progress; resolves with how it ended. */
async function ticker(args: string[], opts: Omit<RunOptions, 'env'>) {
  const started = Date.now();
  let lastTick = started;
  const child = start('ffmpeg', process.execPath, [TICKER, ...args], { env: process.env, ...opts });
  createInterface({ input: child.stdout }).on('line', () => {
    lastTick = Date.now();
    child.progressed();
  });
  const err = await child.done.then(
    () => assert.fail('the ticker never ends by itself'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ToolError);
  return { err, ranMs: Date.now() - started, quietMs: Date.now() - lastTick };
}

describe('process limits', () => {
  it('ends a child that makes no progress for the idle timeout, as stalled', async () => {
    // Ticks for 1.5 s, three times the idle timeout: progress keeps it alive until it goes quiet.
    const { err, ranMs, quietMs } = await ticker(['15', '100'], { idleTimeoutMs: 500 });
    assert.equal(err.stalled, true);
    assert.equal(err.timedOut, false);
    assert.ok(ranMs >= 1500, `ended after ${ranMs} ms, while it still ticked`);
    assert.ok(quietMs >= 500 && quietMs < 1500, `ended ${quietMs} ms after its last tick`);
  });

  it('does not count a slow start-up as a stall', async () => {
    // Silent for twice the idle timeout before its first tick, then ticks briefly and goes quiet.
    const { err, ranMs } = await ticker(['5', '100', '1000'], { idleTimeoutMs: 500 });
    assert.equal(err.stalled, true);
    assert.ok(ranMs >= 1500, `ended after ${ranMs} ms, before its start-up was over`);
  });

  it('ends a child at its overall cap however much progress it makes, as timed out', async () => {
    const { err, ranMs } = await ticker(['forever', '50'], { idleTimeoutMs: 500, timeoutMs: 1000 });
    assert.equal(err.timedOut, true);
    assert.equal(err.stalled, false);
    assert.ok(ranMs >= 1000 && ranMs < 2500, `ended after ${ranMs} ms`);
  });
});
