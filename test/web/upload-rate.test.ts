import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRate, secondsLeft } from '../../src/web/public/upload-rate.js';

/** Feeds progress events [ms, bytes] through nextRate; returns the last state. */
function feed(events: [number, number][]) {
  return events.reduce(
    (state, [at, loaded]) => nextRate(state, loaded, at),
    null as ReturnType<typeof nextRate> | null,
  );
}

describe('an upload’s rate and time left', () => {
  it('knows no rate from a single event', () => {
    const state = feed([[0, 1000]]);
    assert.equal(state?.rate, null);
    assert.equal(secondsLeft(state!, 10_000), null);
  });

  it('measures a steady 1 MB/s and the time the rest takes at it', () => {
    const state = feed([
      [0, 0],
      [1000, 1e6],
      [2000, 2e6],
      [3000, 3e6],
    ])!;
    assert.equal(Math.round(state.rate!), 1e6);
    assert.equal(Math.round(secondsLeft(state, 10e6)!), 7);
  });

  it('folds events closer than a quarter second into the next measurement', () => {
    const state = feed([
      [0, 0],
      [10, 500_000],
      [1000, 1e6],
    ])!;
    assert.equal(Math.round(state.rate!), 1e6);
  });

  it('smooths bursts: a second with nothing sent after steady seconds does not halve the rate', () => {
    const steady: [number, number][] = [0, 1, 2, 3, 4, 5].map((s) => [s * 1000, s * 1e6]);
    const state = feed([...steady, [6000, 5e6]])!;
    assert.ok(state.rate! > 0.7e6 && state.rate! < 1e6, `rate ${state.rate}`);
  });

  it('follows a connection that really slowed down within seconds', () => {
    const fast: [number, number][] = [0, 1, 2].map((s) => [s * 1000, s * 1e6]);
    const slow: [number, number][] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((s) => [s * 1000, 2e6 + (s - 2) * 1e5]);
    const state = feed([...fast, ...slow])!;
    assert.ok(state.rate! < 0.2e6, `rate ${state.rate}`);
  });
});
