/**
 * ReplayGain 2.0 (and Opus's R128) tags from one decode of the source: ffmpeg's EBU R128 meter
 * reports the loudness of every 400 ms block, 100 ms apart (the gating blocks of ITU-R BS.1770),
 * and astats the sample peak of every 100 ms. Gating those blocks here gives the integrated
 * loudness of any part of the source: each output file's (track) and all of them together (album,
 * for a chapter split), which is the loudness of the whole, not an average of gains.
 */
import type { Span } from './ffmpeg-args.ts';
import type { AudioFormat } from './types.ts';

/** The loudness of a part of the source, and its sample peak (linear, 1 = full scale). */
export interface Loudness {
  lufs: number;
  peak: number;
}

/** What the scan reports: block i is the 400 ms ending (i + 1) × 100 ms after the scan's start. */
export interface Blocks {
  /** Seconds of the source where the scan started. */
  start: number;
  /** Momentary loudness of each block, LUFS. */
  momentary: number[];
  /** Sample peak of each 100 ms step, dBFS. */
  peaks: number[];
}

export const STEP_SEC = 0.1;
const BLOCK_STEPS = 4;
/** ReplayGain 2.0's reference loudness; Opus's R128 gains are relative to EBU R128's. */
const REPLAYGAIN_REFERENCE = -18;
const R128_REFERENCE = -23;

/** The filters of the scan: one `ametadata` line per 100 ms step and value, read back by `blocksFrom`. */
export const SCAN_FILTERS = [
  'ebur128=metadata=1',
  'astats=metadata=1:reset=1:measure_perchannel=none:measure_overall=Peak_level',
  'ametadata=mode=print:key=lavfi.r128.M',
  'ametadata=mode=print:key=lavfi.astats.Overall.Peak_level',
].join(',');

/** The scan's stderr, as ffmpeg's log prints the `ametadata` values, into blocks. */
export function blocksFrom(stderr: readonly string[], start: number): Blocks {
  const momentary: number[] = [];
  const peaks: number[] = [];
  for (const line of stderr) {
    const m = /lavfi\.(r128\.M|astats\.Overall\.Peak_level)=(\S+)/.exec(line);
    if (!m?.[2]) continue;
    const value = m[2] === '-inf' ? Number.NEGATIVE_INFINITY : Number(m[2]);
    (m[1] === 'r128.M' ? momentary : peaks).push(value);
  }
  return { start, momentary, peaks };
}

/** The scan's span: from the first output's start to the last one's end (undefined: the source's). */
export function scanSpan(spans: readonly Span[]): Span {
  const starts = spans.map((s) => s.start ?? 0);
  const ends = spans.map((s) => s.end);
  const span: Span = {};
  if (Math.min(...starts) > 0) span.start = Math.min(...starts);
  if (ends.every((e) => e !== undefined)) span.end = Math.max(...ends);
  return span;
}

/**
 * Each span's loudness (null when it holds not one loud enough block), and all spans' together: the
 * album, as the files played one after the other, so with the blocks that straddle two of them.
 */
export function loudnessOf(
  blocks: Blocks,
  spans: readonly Span[],
): { tracks: (Loudness | null)[]; album: Loudness | null } {
  const tracks = spans.map((span) => measure(blocks, blockIndexes(blocks, span), peakOf(blocks, span)));
  const peaks = tracks.flatMap((t) => (t ? [t.peak] : []));
  const album = measure(blocks, blockIndexes(blocks, scanSpan(spans)), Math.max(0, ...peaks));
  return { tracks, album };
}

/** The blocks that lie wholly within the span (a small tolerance for the times' rounding). */
function blockIndexes(blocks: Blocks, span: Span): number[] {
  const from = (span.start ?? 0) - blocks.start - 1e-6;
  const to = (span.end ?? Number.POSITIVE_INFINITY) - blocks.start + 1e-6;
  return blocks.momentary.flatMap((_, i) => {
    const end = (i + 1) * STEP_SEC;
    return end - BLOCK_STEPS * STEP_SEC >= from && end <= to ? [i] : [];
  });
}

/** The highest sample peak of the 100 ms steps the span touches, linear. */
function peakOf(blocks: Blocks, span: Span): number {
  const from = (span.start ?? 0) - blocks.start;
  const to = (span.end ?? Number.POSITIVE_INFINITY) - blocks.start;
  const db = blocks.peaks.filter((_, i) => (i + 1) * STEP_SEC > from && i * STEP_SEC < to);
  return 10 ** (Math.max(Number.NEGATIVE_INFINITY, ...db) / 20);
}

function measure(blocks: Blocks, indexes: readonly number[], peak: number): Loudness | null {
  const lufs = gatedLoudness(indexes.map((i) => blocks.momentary[i] ?? Number.NEGATIVE_INFINITY));
  return lufs === null ? null : { lufs, peak };
}

/**
 * BS.1770's integrated loudness of blocks: those above −70 LUFS, then those less than 10 LU below
 * their mean (means of energy, not of decibels). Null when no block is above −70 LUFS (silence).
 */
export function gatedLoudness(momentary: readonly number[]): number | null {
  const energy = (lufs: number) => 10 ** ((lufs + 0.691) / 10);
  const mean = (values: readonly number[]) =>
    -0.691 + 10 * Math.log10(values.reduce((a, b) => a + energy(b), 0) / values.length);
  const audible = momentary.filter((m) => m > -70);
  if (audible.length === 0) return null;
  const relative = mean(audible) - 10;
  return mean(audible.filter((m) => m > relative));
}

/**
 * The tags for a track's (and its album's) loudness, as each format's players read them: ReplayGain
 * 2.0's REPLAYGAIN_* in ID3 TXXX frames (MP3) and Vorbis comments (FLAC, Ogg); Opus's R128_*_GAIN
 * (RFC 7845: Q7.8 fixed point, relative to −23 LUFS, no peak). None for M4A, whose freeform
 * `----:com.apple.iTunes:` atoms ffmpeg 5.1's MP4 muxer cannot write, nor for WAV.
 */
export function gainTags(format: AudioFormat, track: Loudness | null, album: Loudness | null): Record<string, string> {
  if (format === 'm4a' || format === 'wav') return {};
  const tags: Record<string, string> = {};
  for (const [name, l] of [
    ['TRACK', track],
    ['ALBUM', album],
  ] as const) {
    if (l === null) continue;
    if (format === 'opus') {
      tags[`R128_${name}_GAIN`] = String(
        Math.max(-32768, Math.min(32767, Math.round(256 * (R128_REFERENCE - l.lufs)))),
      );
    } else {
      tags[`REPLAYGAIN_${name}_GAIN`] = `${(REPLAYGAIN_REFERENCE - l.lufs).toFixed(2)} dB`;
      tags[`REPLAYGAIN_${name}_PEAK`] = l.peak.toFixed(6);
    }
  }
  return tags;
}
