import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cutFractions,
  type MadeSegment,
  planSplice,
  ROLL_FRAMES,
  SPLIT_MIN_DURATION_SEC,
  type SplitQuestion,
  seekableSegmentCount,
  seekShrink,
  segmentCount,
  segmentLayout,
} from '../../src/pipeline/split-plan.ts';

describe('deciding to split', () => {
  const long: SplitQuestion = { format: 'mp3', durationSec: 1200, sampleRate: 48000, idleCores: 4, filtered: false };
  const cases: [string, Partial<SplitQuestion>, number][] = [
    ['long MP3, 4 idle cores: 4 segments', {}, 4],
    ['a fraction of a core counts down', { idleCores: 2.5 }, 2],
    ['one idle core: one encoder', { idleCores: 1 }, 1],
    ['no idle core: one encoder', { idleCores: 0 }, 1],
    ['shorter than the threshold', { durationSec: SPLIT_MIN_DURATION_SEC - 1 }, 1],
    ['unknown length', { durationSec: null }, 1],
    ['another format', { format: 'm4a' }, 1],
    ['a rate MP3 cannot hold (resampled after the cut)', { sampleRate: 96000 }, 1],
    ['trimmed or normalized', { filtered: true }, 1],
  ];
  for (const [name, change, expected] of cases) {
    it(name, () => assert.equal(segmentCount({ ...long, ...change }), expected));
  }

  it('takes a lower threshold, but keeps segments several seconds long', () => {
    assert.equal(segmentCount({ ...long, durationSec: 12, idleCores: 8 }, 10), 2);
  });

  it('keeps even the last, shortest segment 5 s long however many cores are idle', () => {
    for (const durationSec of [30, 40, 60, 90, 120]) {
      const count = segmentCount({ ...long, durationSec, idleCores: 16 });
      const layout = segmentLayout(durationSec * 48000, count);
      const kept = layout.map((s) => (s.keepTo ?? durationSec * 48000 - s.inputStart) - s.keepFrom);
      assert.ok(count > 1 && Math.min(...kept) >= 5 * 48000, `${durationSec} s: ${count} segments, ${kept}`);
    }
  });
});

describe('segments of a download each decoded from near its cut', () => {
  it('gives each encoder up to six, the later ones shorter, none under 5 s', () => {
    const counts = [3600, 240, 60, 45].map((durationSec) => seekableSegmentCount(durationSec, 2));
    assert.deepEqual(counts, [12, 4, 2, 2]);
    assert.equal(seekableSegmentCount(30, 3), 3);
    // The first segment three times the last, whatever the count (fewer than four: less).
    for (const count of [4, 8, 12]) {
      const cuts = cutFractions(count, seekShrink(count));
      const first = cuts[1] ?? 0;
      const last = 1 - (cuts[count - 1] ?? 0);
      assert.ok(Math.abs(first / last - 3) < 0.1, `${count}: ${first / last}`);
    }
    assert.equal(seekShrink(2), 0.3);
    for (const durationSec of [30, 60, 240, 3600]) {
      const count = seekableSegmentCount(durationSec, 2);
      const layout = segmentLayout(durationSec * 48000, count, ROLL_FRAMES, seekShrink(count));
      const kept = layout.map((s) => (s.keepTo ?? durationSec * 48000 - s.inputStart) - s.keepFrom);
      assert.ok(Math.min(...kept) >= 5 * 48000, `${durationSec} s: ${kept}`);
      assert.ok(
        kept.every((k, i) => i === 0 || k < (kept[i - 1] ?? 0)),
        `${durationSec} s: ${kept}`,
      );
    }
  });
});

describe('laying out segments', () => {
  const layout = segmentLayout(48000 * 60, 3);

  it('starts every input on a frame boundary, with the roll before and after each cut', () => {
    for (const s of layout) {
      assert.equal(s.inputStart % 1152, 0);
      assert.equal(s.keepFrom % 1152, 0);
    }
    assert.deepEqual(layout[0], {
      inputStart: 0,
      inputEnd: layout[0]!.keepTo! + ROLL_FRAMES * 1152,
      keepFrom: 0,
      keepTo: layout[0]!.keepTo,
    });
    assert.equal(layout[1]?.keepFrom, ROLL_FRAMES * 1152);
    assert.equal(layout[2]?.inputEnd, null);
    assert.equal(layout[2]?.keepTo, null);
  });

  it('gives a later segment, which decodes more before its cut, less media, so each costs the same', () => {
    const cuts = cutFractions(3, 0.25);
    const costs = cuts.slice(0, -1).map((cut, i) => 0.25 * cut + ((cuts[i + 1] ?? 1) - cut));
    for (const cost of costs) assert.ok(Math.abs(cost - (costs[0] ?? 0)) < 1e-9, `${costs}`);
    const lengths = layout.map((s) => (s.keepTo ?? 48000 * 60 - s.inputStart) - s.keepFrom);
    assert.ok((lengths[0] ?? 0) > (lengths[1] ?? 0) && (lengths[1] ?? 0) > (lengths[2] ?? 0), `${lengths}`);
    assert.deepEqual(cutFractions(4, 0), [0, 0.25, 0.5, 0.75, 1]);
  });

  it('keeps every source sample exactly once', () => {
    const kept = layout.map((s) => [s.inputStart + s.keepFrom, s.keepTo === null ? null : s.inputStart + s.keepTo]);
    assert.equal(kept[0]?.[0], 0);
    for (let i = 1; i < kept.length; i++) assert.equal(kept[i]?.[0], kept[i - 1]?.[1]);
  });
});

describe('planning the splice', () => {
  // Equal thirds (no decode share), so that each keeps 100 frames.
  const layout = segmentLayout(1152 * 300, 3, ROLL_FRAMES, 0);
  /** What an encoder makes of `samples` input samples: LAME's 576 delay, frames rounded up. */
  const made = (samples: number, spf = 1152): MadeSegment => {
    const frames = Math.ceil((samples + 576 + 529) / spf);
    return { frames, samplesPerFrame: spf, encoderDelay: 576, padding: frames * spf - 576 - samples };
  };
  const asked = (i: number, total: number) => {
    const s = layout[i]!;
    return Math.min(s.inputEnd ?? total, total) - s.inputStart;
  };

  it('keeps frames that follow on without gap, with the first delay and the last padding', () => {
    const total = 1152 * 300 - 77;
    const segments = layout.map((_, i) => made(asked(i, total)));
    const plan = planSplice(layout, segments);
    assert.equal(plan.samples, total);
    assert.equal(plan.padding, segments[2]?.padding);
    assert.deepEqual(plan.ranges[0], { from: 0, to: 100 });
    assert.deepEqual(plan.ranges[1], { from: ROLL_FRAMES, to: ROLL_FRAMES + 100 });
    assert.equal(
      plan.frames,
      plan.ranges.reduce((sum, r) => sum + r.to - r.from, 0),
    );
  });

  it('counts MPEG-2 frames, two to a 1152-sample block', () => {
    const total = 1152 * 300;
    const plan = planSplice(
      layout,
      layout.map((_, i) => made(asked(i, total), 576)),
    );
    assert.equal(plan.samples, total);
    assert.deepEqual(plan.ranges[1], { from: 2 * ROLL_FRAMES, to: 2 * (ROLL_FRAMES + 100) });
  });

  it('ends at the segment that met the end of a source shorter than declared, dropping the rest', () => {
    const total = 1152 * 150;
    const plan = planSplice(
      layout,
      layout.map((_, i) => made(Math.max(0, asked(i, total)))),
    );
    assert.equal(plan.samples, total);
    assert.equal(plan.ranges.length, 2);
  });
});
