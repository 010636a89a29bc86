/** The progress promise, on a mocked clock: while a phase runs, never more than a second between events. */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { WEIGHTS } from '../../src/pipeline/overall.ts';
import { ProgressReporter } from '../../src/pipeline/progress.ts';
import type { Progress } from '../../src/pipeline/types.ts';

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

  it('always sends the end, however soon after the last event it comes', () => {
    const sent: Progress[] = [];
    const reporter = new ProgressReporter((p) => sent.push(p));
    reporter.update('tagging', 0);
    mock.timers.tick(10);
    reporter.update('tagging', 0.5);
    reporter.update('tagging', 1);
    reporter.stop();
    assert.equal(sent.at(-1)?.fraction, 1);
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

  it('reports a playlist as one fraction that never goes back, each entry with its own from 0', () => {
    const sent: Progress[] = [];
    const reporter = new ProgressReporter((p) => sent.push(p));
    reporter.update('probing', null);
    for (const index of [1, 2, 3]) {
      reporter.setItem({ index, count: 3 });
      reporter.update('probing', null);
      reporter.route('stream');
      for (const f of [0, 0.5, 1]) reporter.update('downloading', f);
      // The entry's audio came piped through the encoder: its converting tail starts behind the download.
      reporter.update('converting', 0.9);
      reporter.update('tagging', 1);
    }
    reporter.stop();
    const whole = sent.map((p) => p.fraction);
    assert.deepEqual(
      whole,
      [...whole].sort((a, b) => a - b),
    );
    assert.equal(whole.at(-1), 1);
    const starts = sent.filter((p) => p.phase === 'probing' && p.item).map((p) => p.item?.fraction);
    assert.deepEqual(starts, [0, 0, 0]);
  });

  it('moves the bar on while probing, which reports nothing, and tells no ETA meanwhile', () => {
    const sent: Progress[] = [];
    const reporter = new ProgressReporter((p) => sent.push(p));
    reporter.update('probing', null);
    for (let ms = 0; ms < 8000; ms += 10) mock.timers.tick(10);
    reporter.stop();
    const whole = sent.map((p) => p.fraction);
    assert.ok(sent.length >= 8, `${sent.length} events`);
    assert.deepEqual(
      whole,
      [...whole].sort((a, b) => a - b),
    );
    assert.ok((whole.at(-1) ?? 0) > (whole[0] ?? 0), `stuck at ${whole.at(-1)}`);
    assert.ok(sent.every((p) => p.phase === 'probing' && p.eta === null));
  });

  it('counts the ETA down between updates while the job goes on at a steady pace', () => {
    const etas: (number | null)[] = [];
    const reporter = new ProgressReporter((p) => etas.push(p.eta));
    reporter.route('stream');
    for (let s = 0; s <= 20; s++) {
      reporter.update('downloading', s / 40);
      for (let ms = 0; ms < 1000; ms += 10) mock.timers.tick(10);
    }
    reporter.stop();
    const known = etas.filter((e): e is number => e !== null);
    assert.ok(known.length >= 15, `ETAs: ${etas.join(', ')}`);
    assert.deepEqual(
      known,
      [...known].sort((a, b) => b - a),
      'never rises',
    );
    // After 20 s the whole is at probing + downloading × 20/40, growing downloading/40 a second;
    // the last ETA is a second later.
    const w = WEIGHTS.stream;
    const left = (1 - w.probing - w.downloading / 2) / (w.downloading / 40) - 1;
    assert.ok(Math.abs((known.at(-1) ?? 0) - left) <= 2, `ETAs: ${known.join(', ')}`);
  });
});
