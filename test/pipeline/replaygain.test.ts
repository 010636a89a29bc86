import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gainTags, gatedLoudness, loudnessOf } from '../../src/pipeline/replaygain.ts';

describe('gatedLoudness', () => {
  it('leaves out blocks under -70 LUFS and those 10 LU under the mean, then averages energy', () => {
    assert.ok(Math.abs((gatedLoudness([-20, -20, -120, -75]) ?? 0) - -20) < 1e-9);
    // -45 is 25 LU under the mean of the audible blocks: gated out.
    assert.ok(Math.abs((gatedLoudness([-20, -20, -45]) ?? 0) - -20) < 1e-9);
    // Energy, not decibels: -20 and -30 average to -22.6, not -25.
    assert.ok(Math.abs((gatedLoudness([-20, -30]) ?? 0) - -22.596) < 1e-3);
    assert.equal(gatedLoudness([-120]), null);
  });
});

describe('loudnessOf', () => {
  it("measures each span's own blocks, and the album over all of them, straddling blocks included", () => {
    // 2 s: block i ends at (i + 1) × 100 ms; the first three are not full yet (ffmpeg says -120.7).
    const momentary = Array.from({ length: 20 }, (_, i) => (i < 3 ? -120.7 : i < 10 ? -10 : i < 13 ? -15 : -30));
    const peaks = Array.from({ length: 20 }, (_, i) => (i < 10 ? -6 : -20));
    const { tracks, album } = loudnessOf({ start: 0, momentary, peaks }, [{ end: 1 }, { start: 1 }]);
    assert.deepEqual(
      tracks.map((t) => t && Number(t.lufs.toFixed(3))),
      [-10, -30],
    );
    assert.ok(Math.abs((tracks[0]?.peak ?? 0) - 0.501) < 1e-3);
    assert.ok(album && album.lufs > -11 && album.lufs < -10);
  });
});

describe('gainTags', () => {
  const track = { lufs: -11.48, peak: 0.8912 };
  it('writes ReplayGain 2.0 relative to -18 LUFS, with peaks', () => {
    assert.deepEqual(gainTags('flac', track, null), {
      REPLAYGAIN_TRACK_GAIN: '-6.52 dB',
      REPLAYGAIN_TRACK_PEAK: '0.891200',
    });
  });
  it('writes Opus R128 gains in 1/256 dB relative to -23 LUFS', () => {
    assert.deepEqual(gainTags('opus', track, { lufs: -23.5, peak: 1 }), {
      R128_TRACK_GAIN: String(Math.round(256 * -11.52)),
      R128_ALBUM_GAIN: '128',
    });
  });
});
