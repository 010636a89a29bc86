/** The overall ETA on synthetic timelines: it settles, never rises while progress is steady, and follows a slowdown. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EtaEstimator } from '../../src/pipeline/eta.ts';

interface Point {
  /** Seconds since the start. */
  t: number;
  eta: number | null;
  /** The true seconds left on this timeline. */
  truth: number;
}

/**
 * Samples `fraction(t)` at the given times (seconds), like the reporter's events; `finish` is
 * when the timeline reaches 1.
 */
function follow(
  times: readonly number[],
  fraction: (t: number) => number,
  finish: number,
  stretch: (t: number) => string | undefined = () => undefined,
): Point[] {
  const eta = new EtaEstimator();
  return times.map((t) => ({ t, eta: eta.update(fraction(t), t * 1000, stretch(t)), truth: finish - t }));
}

/** Event times from 0 to `end`: every `step` s, or at irregular gaps when `jitter` is set. */
function times(end: number, step = 1, jitter = false): number[] {
  const out: number[] = [];
  for (let t = 0, i = 0; t < end; i++) {
    out.push(t);
    // Gaps of 0.25 to 1 s in a fixed, irregular pattern: the reporter's range.
    t += jitter ? ([0.25, 1, 0.6, 0.3, 0.95, 0.5][i % 6] ?? step) : step;
  }
  return out;
}

function known(points: readonly Point[]): (Point & { eta: number })[] {
  return points.filter((p): p is Point & { eta: number } => p.eta !== null);
}

function assertNeverRises(points: readonly Point[]): void {
  const etas = known(points);
  etas.forEach((p, i) => {
    const before = etas[i - 1];
    assert.ok(!before || p.eta <= before.eta + 1e-9, `ETA rose from ${before?.eta} to ${p.eta} at ${p.t} s`);
  });
}

function assertClose(points: readonly Point[], from: number, tolerance: number): void {
  for (const p of known(points).filter((q) => q.t >= from)) {
    assert.ok(
      Math.abs(p.eta - p.truth) <= tolerance * p.truth + 1,
      `at ${p.t} s: ETA ${p.eta.toFixed(1)}, truly ${p.truth.toFixed(1)}`,
    );
  }
}

describe('EtaEstimator', () => {
  it('knows nothing from a single report or before any progress', () => {
    const eta = new EtaEstimator();
    assert.equal(eta.update(0, 0), null);
    assert.equal(eta.update(0, 2000), null);
  });

  it('counts down steadily for a steady job, at regular or irregular report times', () => {
    for (const jitter of [false, true]) {
      const points = follow(times(60, 1, jitter), (t) => t / 60, 60);
      assertNeverRises(points);
      assertClose(points, 1, 0.05);
    }
  });

  it('never rises when progress comes in bursts (yt-dlp’s lines) between steady heartbeats', () => {
    // 5 % at a time every 1.5 s, sampled every 0.75 s: the same 60 s job, as a staircase.
    const points = follow(times(30, 0.75), (t) => Math.min(1, Math.floor(t / 1.5) * 0.05), 30);
    assertNeverRises(points);
    assertClose(points, 5, 0.2);
  });

  it('settles after the step from probing into downloading, then never rises', () => {
    // 3 s of probing at 0, a step to 0.3, then a steady 12 s download and the rest.
    const fraction = (t: number) => (t < 3 ? 0 : Math.min(1, 0.3 + ((t - 3) / 12) * 0.7));
    const points = follow(times(15, 1, true), fraction, 15);
    const afterStep = points.filter((p) => p.t >= 3);
    assertNeverRises(afterStep);
    assertClose(afterStep, 6, 0.35);
  });

  it('measures the pace of each stretch afresh: a download delivered at once, then a minute’s encode', () => {
    // The lengthy FLAC with normalize: 2 s probing, 45 % of the bar in 1 s, then 60 s for the rest.
    const fraction = (t: number) =>
      t < 2 ? 0 : t < 3 ? 0.15 + (t - 2) * 0.3 : Math.min(1, 0.45 + ((t - 3) / 60) * 0.55);
    const phase = (t: number) => (t < 2 ? 'probing' : t < 3 ? 'downloading' : 'converting');
    const points = follow(times(63, 1, true), fraction, 63, phase);
    const encoding = points.filter((p) => p.t >= 3);
    assertNeverRises(encoding);
    assertClose(encoding, 5, 0.1);
    // Measured over the whole job instead, the download's pace made the encode's ETA start at a few
    // seconds and climb with nearly every update.
    const carried = known(follow(times(63, 1, true), fraction, 63)).filter((p) => p.t >= 3);
    assert.ok(carried.some((p, i) => i > 0 && p.eta > (carried[i - 1]?.eta ?? 0)));
  });

  it('counts the last estimate down while a new stretch’s pace is not known yet', () => {
    const eta = new EtaEstimator();
    eta.update(0.1, 0, 'downloading');
    eta.update(0.2, 1000, 'downloading');
    const known = eta.update(0.3, 2000, 'downloading') ?? assert.fail('no ETA');
    assert.equal(eta.update(0.3, 2500, 'converting'), known - 0.5);
  });

  it('revises the ETA upwards when the job really slows down, and follows it', () => {
    // Steady for 20 s at 2 %/s, then a quarter of that speed: 60 % left at 0.5 %/s is 120 s more.
    const fraction = (t: number) => (t < 20 ? t * 0.02 : 0.4 + (t - 20) * 0.005);
    const points = follow(times(140, 1), fraction, 140);
    const before = known(points).find((p) => p.t === 20)?.eta ?? 0;
    assert.ok(
      known(points).some((p) => p.t > 20 && p.eta > before),
      'the ETA went up after the slowdown',
    );
    assertClose(points, 60, 0.25);
  });
});
