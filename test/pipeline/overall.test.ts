/** The overall fraction: phases weighted by their share, never decreasing, a playlist as the sum of its entries. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  entryFraction,
  ItemProgress,
  PHASES,
  playlistFraction,
  probingFraction,
  type Route,
  WEIGHTS,
} from '../../src/pipeline/overall.ts';
import type { Phase } from '../../src/pipeline/types.ts';

const ROUTES = Object.keys(WEIGHTS) as Route[];

/** Feeds [phase, fraction] reports to a fresh item; returns the item's fraction after each. */
function run(reports: [Phase, number | null][], route: Route = 'stream'): number[] {
  const item = new ItemProgress();
  item.route(route);
  return reports.map(([phase, fraction]) => item.update(phase, fraction));
}

const near = (actual: number | undefined, expected: number) =>
  assert.ok(Math.abs((actual ?? Number.NaN) - expected) < 1e-9, `${actual} is not ${expected}`);

function assertNeverDecreases(values: readonly number[]): void {
  assert.deepEqual(
    values,
    [...values].sort((a, b) => a - b),
    `${values.join(', ')} goes back`,
  );
}

describe('ItemProgress', () => {
  it('gives every route weights that share the whole job', () => {
    for (const route of ROUTES) {
      const sum = PHASES.reduce((s, p) => s + WEIGHTS[route][p], 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, `${route}: ${sum}`);
    }
  });

  it('moves on from one phase to the next instead of falling back to 0, and ends at 1', () => {
    const values = run([
      ['probing', null],
      ['downloading', 0],
      ['downloading', 0.5],
      ['downloading', 1],
      ['converting', 0],
      ['converting', 1],
      ['tagging', 0],
      ['tagging', 1],
    ]);
    assertNeverDecreases(values);
    const w = WEIGHTS.stream;
    assert.equal(values[0], 0);
    near(values[1], w.probing);
    near(values[2], w.probing + w.downloading / 2);
    assert.equal(values.at(-1), 1);
  });

  it('holds still when a download is retried from its first byte or an earlier phase reports late', () => {
    const values = run([
      ['downloading', 0.6],
      ['downloading', 0.1],
      ['downloading', 0.7],
      ['converting', 0.5],
      ['downloading', 1],
      ['converting', 0.2],
      ['tagging', 1],
    ]);
    assertNeverDecreases(values);
    assert.equal(values[1], values[0], 'a restarted download does not move the bar back');
    assert.equal(values.at(-1), 1);
  });

  it('never goes back when the route becomes known after probing, whichever it is', () => {
    for (const route of ROUTES) {
      const item = new ItemProgress();
      const values = [item.update('probing', 0.9)];
      item.route(route);
      for (const phase of PHASES) for (const f of [0, 0.5, 1]) values.push(item.update(phase, f));
      assertNeverDecreases(values);
      assert.equal(values.at(-1), 1, route);
    }
  });

  it('counts an upload’s time as converting, with nothing to download', () => {
    const [afterProbe, halfway] = run(
      [
        ['converting', 0],
        ['converting', 0.5],
      ],
      'file',
    );
    near(afterProbe, WEIGHTS.file.probing);
    assert.ok((halfway ?? 0) > 0.4, `half the encode of an upload is ${halfway}`);
  });
});

describe('a playlist’s fraction', () => {
  it('adds up its entries, never goes back from one entry to the next, and ends at 1', () => {
    const count = 3;
    const values: number[] = [];
    for (let index = 1; index <= count; index++) {
      for (const entry of [0, 0.3, 0.8, 1]) values.push(playlistFraction(index, count, entry));
    }
    assertNeverDecreases(values);
    assert.equal(values.at(-1), 1);
    assert.equal(playlistFraction(2, 4, 0.5), 0.375);
  });

  it('gives each running entry its own fraction back', () => {
    for (const [index, count, entry] of [
      [1, 3, 0.25],
      [2, 3, 0.5],
      [7, 9, 0.99],
      [3, 3, 1],
    ] as const) {
      near(entryFraction(playlistFraction(index, count, entry), index, count), entry);
    }
    assert.equal(entryFraction(1 / 3, 3, 3), 0, 'the whole still at the previous entry’s end: this one is at 0');
  });
});

describe('probingFraction', () => {
  it('creeps on while probing takes its time, ever slower, never claiming the step done', () => {
    const values = [0, 500, 1000, 3000, 10_000, 60_000, 600_000].map(probingFraction);
    assertNeverDecreases(values);
    assert.equal(values[0], 0);
    assert.ok((values[3] ?? 0) > 0.5, 'most of the way after the usual 3 s');
    assert.ok(values.every((v) => v <= 0.9));
  });
});
