/**
 * ReplayGain 2.0 (and Opus's R128) tags, measured on each file as it was encoded (a lossy encoder
 * changes the loudness: LAME at 192k made the stand-in's pure tones 0.27 dB quieter than their
 * source). ffmpeg's EBU R128 meter reports the loudness of every 400 ms block, 100 ms apart (the
 * gating blocks of ITU-R BS.1770), and astats the sample peak of every 100 ms; gating those blocks
 * here gives the integrated loudness of a file (track) and of several files together (album), which
 * is the loudness of the whole, not an average of gains.
 *
 * The encode writes each tag with a placeholder value of the tag's fixed width (tag-values.ts
 * rewrites it in place once the file is measured): gains as `-06.52 dB` (always a sign and two
 * digits before the point), peaks as `0.891200`, R128 gains as `-00512`: numbers every player
 * reads.
 */
import type { AudioFormat } from './types.ts';

/** The loudness of one file or several (null: not one block loud enough), and its sample peak (linear, 1 = full scale). */
export interface Loudness {
  lufs: number | null;
  peak: number;
}

/** What a scan of one file reports: block i is the 400 ms ending (i + 1) × 100 ms into it. */
export interface Blocks {
  /** Momentary loudness of each block, LUFS. */
  momentary: number[];
  /** Sample peak of each 100 ms step, dBFS. */
  peaks: number[];
}

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
export function blocksFrom(stderr: readonly string[]): Blocks {
  const momentary: number[] = [];
  const peaks: number[] = [];
  for (const line of stderr) {
    const m = /lavfi\.(r128\.M|astats\.Overall\.Peak_level)=(\S+)/.exec(line);
    if (!m?.[2]) continue;
    const value = m[2] === '-inf' ? Number.NEGATIVE_INFINITY : Number(m[2]);
    (m[1] === 'r128.M' ? momentary : peaks).push(value);
  }
  return { momentary, peaks };
}

/** The loudness of files played one after the other (one file: its track's; all of an album's: the album's). */
export function loudnessOf(...files: Blocks[]): Loudness {
  const db = files.flatMap((f) => f.peaks).reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  return { lufs: gatedLoudness(files.flatMap((f) => f.momentary)), peak: 10 ** (db / 20) };
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

/** Which loudness a tag states. */
export type GainOf = 'TRACK' | 'ALBUM';

/**
 * The tags for a file's loudness (and its album's), as each format's players read them:
 * ReplayGain 2.0's REPLAYGAIN_* in ID3 TXXX frames (MP3), Vorbis comments (FLAC, Ogg) and iTunes'
 * freeform `----:com.apple.iTunes:` items (M4A); Opus's R128_*_GAIN (RFC 7845: Q7.8 fixed point,
 * relative to −23 LUFS, no peak). None for WAV. A file with no block loud enough to measure (silence)
 * gets a gain of 0: players leave it as it is.
 */
export function gainTags(format: AudioFormat, of: Partial<Record<GainOf, Loudness>>): Record<string, string> {
  if (format === 'wav') return {};
  const tags: Record<string, string> = {};
  for (const [name, l] of Object.entries(of) as [GainOf, Loudness][]) {
    if (format === 'opus') {
      const gain = l.lufs === null ? 0 : Math.round(256 * (R128_REFERENCE - l.lufs));
      tags[`R128_${name}_GAIN`] = signed(Math.max(-32768, Math.min(32767, gain)), 5, 0);
    } else {
      const gain = l.lufs === null ? 0 : REPLAYGAIN_REFERENCE - l.lufs;
      tags[`REPLAYGAIN_${name}_GAIN`] = `${signed(Math.max(-99.99, Math.min(99.99, gain)), 2, 2)} dB`;
      tags[`REPLAYGAIN_${name}_PEAK`] = Math.min(l.peak, 9.999999).toFixed(6);
    }
  }
  return tags;
}

/** The tags an encode writes for `gains` before anything is measured: of the width of the real ones. */
export function placeholderGainTags(format: AudioFormat, gains: readonly GainOf[]): Record<string, string> {
  const silent = { lufs: null, peak: 0 };
  return gainTags(format, Object.fromEntries(gains.map((g) => [g, silent])));
}

/** A number always as wide: its sign, `digits` digits before the point (zero-padded), `decimals` after. */
function signed(value: number, digits: number, decimals: number): string {
  const text = Math.abs(value).toFixed(decimals);
  return `${value < 0 ? '-' : '+'}${text.padStart(digits + (decimals > 0 ? decimals + 1 : 0), '0')}`;
}
