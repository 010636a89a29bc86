/** The progress promise, on a mocked clock: while a phase runs, never more than a second between events. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { ProgressReporter } from '../../src/pipeline/progress.ts';

beforeEach(() => mock.timers.enable({ apis: ['setInterval', 'Date'] }));
afterEach(() => mock.timers.reset());

describe('ProgressReporter', () => {
  it('repeats the last event at least once a second, however the updates fall between ticks', () => {
    for (const offset of [0, 1, 10, 249, 600, 999]) {
      const sent: number[] = [];
      const reporter = new ProgressReporter(() => sent.push(Date.now()));
      mock.timers.tick(offset);
      reporter.update('downloading', 0.1);
      for (let ms = 0; ms < 10_000; ms += 10) mock.timers.tick(10);
      reporter.stop();
      const gaps = sent.slice(1).map((at, i) => at - (sent[i] ?? at));
      assert.ok(gaps.length >= 10, `only ${gaps.length} heartbeats`);
      assert.ok(Math.max(...gaps) <= 1000, `an update ${offset} ms after a tick left a gap of ${Math.max(...gaps)} ms`);
    }
  });

  it('sends nothing before the first update and nothing after stop', () => {
    const sent: number[] = [];
    const reporter = new ProgressReporter(() => sent.push(Date.now()));
    mock.timers.tick(5000);
    assert.deepEqual(sent, []);
    reporter.update('converting', 0.5);
    reporter.stop();
    mock.timers.tick(5000);
    assert.equal(sent.length, 1);
  });
});
