import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gainTags, gatedLoudness, loudnessOf, placeholderGainTags } from '../../src/pipeline/replaygain.ts';

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
  it("measures one file's blocks, and an album's over all its files' together, not as a mean of gains", () => {
    // Block i ends at (i + 1) × 100 ms; the first three are not full yet (ffmpeg says -120.7).
    const loud = { momentary: [-120.7, -120.7, -120.7, ...Array(7).fill(-10)], peaks: Array(10).fill(-6) };
    const quiet = { momentary: [-120.7, -120.7, -120.7, ...Array(7).fill(-30)], peaks: Array(10).fill(-20) };
    assert.equal(loudnessOf(loud).lufs, -10);
    assert.ok(Math.abs(loudnessOf(loud).peak - 0.501) < 1e-3);
    const album = loudnessOf(loud, quiet);
    // The quiet file is more than 10 LU under the mean: gated out.
    assert.equal(album.lufs, -10);
    assert.ok(Math.abs(album.peak - 0.501) < 1e-3);
    assert.equal(loudnessOf({ momentary: [-120.7], peaks: [Number.NEGATIVE_INFINITY] }).lufs, null);
  });
});

describe('gainTags', () => {
  const track = { lufs: -11.48, peak: 0.8912 };
  it('writes ReplayGain 2.0 relative to -18 LUFS, with peaks, always as wide', () => {
    assert.deepEqual(gainTags('flac', { TRACK: track }), {
      REPLAYGAIN_TRACK_GAIN: '-06.52 dB',
      REPLAYGAIN_TRACK_PEAK: '0.891200',
    });
    assert.deepEqual(gainTags('mp3', { ALBUM: { lufs: -30.5, peak: 1.2 } }), {
      REPLAYGAIN_ALBUM_GAIN: '+12.50 dB',
      REPLAYGAIN_ALBUM_PEAK: '1.200000',
    });
  });
  it('writes Opus R128 gains in 1/256 dB relative to -23 LUFS', () => {
    assert.deepEqual(gainTags('opus', { TRACK: track, ALBUM: { lufs: -23.5, peak: 1 } }), {
      R128_TRACK_GAIN: `-0${Math.abs(Math.round(256 * -11.52))}`,
      R128_ALBUM_GAIN: '+00128',
    });
  });
  it('gives silence a gain of 0, and placeholders as wide as any value', () => {
    const silent = gainTags('mp3', { TRACK: { lufs: null, peak: 0 } });
    assert.deepEqual(silent, { REPLAYGAIN_TRACK_GAIN: '+00.00 dB', REPLAYGAIN_TRACK_PEAK: '0.000000' });
    assert.deepEqual(placeholderGainTags('mp3', ['TRACK']), silent);
  });
});
