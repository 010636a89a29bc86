/**
 * Whether to encode one long item in parallel segments, and where the segments start and end.
 * Pure: the worker says how many cores are idle; nothing here reads the machine.
 *
 * Which formats can be joined without a seam (README, "Formats"):
 * | format | parallel segments | why |
 * | mp3  | yes: spliced | reservoir off, 8 frames of pre- and post-roll, frames kept between cuts, one LAME header with the true delay and padding |
 * | m4a  | no: one encoder | AAC frames overlap (MDCT) and the priming is in the container's edit list; not joined cleanly yet |
 * | opus | no: one encoder | pre-skip and the decoder's state carried across packets; not joined cleanly yet |
 * | ogg  | no: one encoder | Vorbis blocks overlap like AAC's; granule positions would need rewriting |
 * | flac | no: one encoder | lossless encoding is fast enough that splitting saves little |
 * | wav  | no: one encoder | nothing to encode |
 */
import type { AudioFormat } from './types.ts';

/**
 * Below this much media one encoder finishes soon enough that the split is not worth its set-up:
 * a second ffmpeg's start, its decode of what comes before its cut, the splice. Measured on links
 * at 4 MB/s, two segments against one encoder (2 cores, paired runs, machine loaded): 30 s 0.90×
 * the wall time for 1.15× the CPU, 2 min 0.83×, 4 min 0.89×; below 30 s one encode takes under a
 * quarter of a second, and what a split could save is lost in the noise of the rest of the job.
 */
export const SPLIT_MIN_DURATION_SEC = 30;
/** No segment shorter than this: each costs an encoder start and 16 frames of overlap. */
const MIN_SEGMENT_SEC = 5;
/**
 * Frames encoded before and after each cut and then dropped, so that the encoder's state has
 * settled on both sides of a seam (measured: with 8, the spliced CBR stream decodes to exactly the
 * samples one encoder makes with the reservoir off).
 */
export const ROLL_FRAMES = 8;
/**
 * Cuts fall on multiples of this many samples: one MPEG-1 frame, two MPEG-2 ones. A segment whose
 * input starts on a frame boundary has frames that line up with the whole stream's frames.
 */
const BLOCK = 1152;
/** The rates libmp3lame encodes at; another rate would be resampled after the cut, off the frame grid. */
const MP3_RATES = new Set([8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000]);

export interface SplitQuestion {
  format: AudioFormat;
  durationSec: number | null;
  sampleRate: number | null;
  /** Cores this item may use now: the worker's idle ones. */
  idleCores: number;
  /** A trim, a SponsorBlock cut or loudness normalization: filters whose state a segment's pre-roll would not settle. */
  filtered: boolean;
}

/** How many segments to encode in parallel: 1 means one encoder, as before. */
export function segmentCount(q: SplitQuestion, minDurationSec = SPLIT_MIN_DURATION_SEC): number {
  const splittable = q.format === 'mp3' && !q.filtered && q.sampleRate !== null && MP3_RATES.has(q.sampleRate);
  if (!splittable || q.durationSec === null || q.durationSec < minDurationSec) return 1;
  let count = Math.max(1, Math.min(Math.floor(q.idleCores), Math.floor(q.durationSec / MIN_SEGMENT_SEC)));
  // The last segment is the shortest (segmentLayout): it too must be worth an encoder.
  while (count > 1 && shortestShare(count, DECODE_SHARE) * q.durationSec < MIN_SEGMENT_SEC) count--;
  return count;
}

function shortestShare(count: number, share: number): number {
  const cuts = cutFractions(count, share);
  return 1 - (cuts[count - 1] ?? 0);
}

/**
 * Segments when each can start decoding near its cut (an Opus-in-WebM download, webm-seek.ts),
 * `width` encoders at a time, started in order as they free up: several per encoder, because a
 * download arrives over time and a segment cannot begin before its media does. With two per core
 * the last encoder starts only when the last half arrives and works on alone after the download;
 * smaller segments, the later ones smallest (seekShrink), keep every core busy to the end.
 * Modelled at 4 MB/s (download 0.56× one encode's time, 2 cores): 60 min 0.78× one encode with 2
 * segments, 0.64× with 4, 0.59× with 8; 4 min 0.78× with 2, 0.68× with 6 or 8, 0.77× with 16
 * (the model's ffmpeg start, ~50 ms, is too cheap: 4 do best, see SEEK_SEGMENT_SEC). Measured on
 * the CLI, 60 min at 4 MB/s, 2 cores: 22.8 s decoding from the start (two segments), 18.0 s with
 * 8 segments, 17.3–18.2 s with 12; a small first segment, to start the second encoder sooner,
 * did not help (18.0–18.3 s).
 */
export function seekableSegmentCount(durationSec: number, width: number): number {
  let count = Math.max(width, Math.min(width * SEGMENTS_PER_ENCODER, Math.floor(durationSec / SEEK_SEGMENT_SEC)));
  while (count > width && shortestShare(count, seekShrink(count)) * durationSec < MIN_SEGMENT_SEC) count--;
  return count;
}

const SEGMENTS_PER_ENCODER = 6;
/**
 * At least this much media per segment: each costs an ffmpeg start (~50 ms of CPU) and its own
 * settling. A 4-min song at 4 MB/s on the CLI, 2 cores, three rounds: 8 segments 1.99–2.01 s, 5
 * 1.94–1.96 s, 4 1.92–1.95 s, 3 1.98–1.99 s, 2 2.21–2.25 s.
 */
const SEEK_SEGMENT_SEC = 60;
/**
 * How much shorter each of `count` segments is than the one before (as cutFractions puts it): so
 * that the first is FIRST_TO_LAST times the last, whose media arrives last and which ends the job
 * soon after the download does. Measured on the CLI at 4 MB/s, five rounds each, one fixed shrink
 * for every count: 4 min (4 segments) 0.1 → 2.36 s, 0.3 → 2.25 s, 0.4 → 2.28 s, 0.5 → 2.39 s;
 * 60 min (12 segments) 0.1 → 19.8 s, 0.3 → 20.8 s (three rounds). Both best ones make the first
 * segment about three times the last. At most 0.3, which two and three segments would exceed: the
 * split of short media, whose download is over soon. 100 s (two segments), eight rounds: 0.1 →
 * 1.30 s, 0.25 → 1.27 s, 0.5 → 1.31 s.
 */
export function seekShrink(count: number): number {
  return count < 2 ? 0 : Math.min(MAX_SHRINK, 1 - FIRST_TO_LAST ** (-1 / (count - 1)));
}

const FIRST_TO_LAST = 3;
const MAX_SHRINK = 0.3;

/** One segment, in samples of the source: what its encoder reads and which of its output it keeps. */
export interface Segment {
  /** First source sample the encoder reads. */
  inputStart: number;
  /** Source sample it stops before; null for the last segment, which reads to the end. */
  inputEnd: number | null;
  /** Of the samples it encodes (counted from inputStart), the frames covering [keepFrom, keepTo) are kept. */
  keepFrom: number;
  keepTo: number | null;
}

/**
 * What decoding the source costs against decoding and encoding it, per second of media. Where a
 * segment cannot start at its cut (any source but an Opus-in-WebM download), its ffmpeg decodes
 * the source from its start (split-encode.ts), so a later segment also pays for the media before
 * its cut, at this rate. Measured for Opus (YouTube's usual audio) to
 * MP3 at 192k on 2 cores: 60 min of Opus decodes in ~8 s of CPU, decoding and encoding it takes ~32 s.
 * A WAV or FLAC upload decodes at almost no cost, so its first segment of two is ~14 % too long.
 */
export const DECODE_SHARE = 0.25;

/**
 * `count` segments over `totalSamples` (an estimate: the last reads to the end), each costing the
 * same to encode: a later one, decoding more before its cut, is given less media.
 */
export function segmentLayout(
  totalSamples: number,
  count: number,
  rollFrames = ROLL_FRAMES,
  decodeShare = DECODE_SHARE,
): Segment[] {
  const blocks = Math.ceil(totalSamples / BLOCK);
  const cuts = cutFractions(count, decodeShare).map((at) => Math.round(at * blocks));
  return cuts.slice(0, -1).map((cut, i) => {
    const next = i === count - 1 ? null : (cuts[i + 1] ?? blocks);
    const first = Math.max(0, cut - rollFrames);
    return {
      inputStart: first * BLOCK,
      inputEnd: next === null ? null : (next + rollFrames) * BLOCK,
      keepFrom: (cut - first) * BLOCK,
      keepTo: next === null ? null : (next - first) * BLOCK,
    };
  });
}

/**
 * The cuts as fractions of the whole, 0 first and 1 last. Segment k costs `share` × cut(k) for the
 * decode before its cut plus its own media at full cost, so equal costs T give
 * cut(k+1) = cut(k) × (1 − share) + T, and cut(count) = 1 fixes T (a geometric series).
 */
export function cutFractions(count: number, share: number): number[] {
  const keep = 1 - share;
  const step = share === 0 ? 1 / count : share / (1 - keep ** count);
  const cuts = [0];
  for (let i = 1; i < count; i++) cuts.push((cuts[i - 1] ?? 0) * keep + step);
  return [...cuts, 1];
}

/** What a segment's encoder made, from its own Info frame. */
export interface MadeSegment {
  frames: number;
  samplesPerFrame: number;
  encoderDelay: number;
  padding: number;
}

/** Which frames of each segment to keep (audio frames counted from 0, `to` exclusive), and the totals. */
export interface Splice {
  ranges: { from: number; to: number }[];
  frames: number;
  encoderDelay: number;
  padding: number;
  /** What the spliced file decodes to, trimmed as its LAME tag says. */
  samples: number;
}

/**
 * Segment i's input starts on a frame boundary, so its frame f is frame f + inputStart / frame size
 * of the whole stream, and the kept frames follow each other without a gap or an overlap. The
 * first segment's start holds the encoder delay and the last one's end the padding, so the whole
 * keeps both. A segment that encoded less than it asked for met the source's end (shorter than its
 * declared length): it holds everything to that end, and the segments after it are dropped.
 */
export function planSplice(layout: readonly Segment[], made: readonly MadeSegment[]): Splice {
  const ranges: Splice['ranges'] = [];
  for (const [i, segment] of layout.entries()) {
    const m = made[i];
    if (!m) throw new Error(`segment ${i} made nothing`);
    const samples = m.frames * m.samplesPerFrame - m.encoderDelay - m.padding;
    const ended = segment.inputEnd === null || samples < segment.inputEnd - segment.inputStart;
    const from = Math.min(m.frames, segment.keepFrom / m.samplesPerFrame);
    const to = ended || segment.keepTo === null ? m.frames : segment.keepTo / m.samplesPerFrame;
    ranges.push({ from, to });
    if (!ended) continue;
    const frames = ranges.reduce((sum, r) => sum + r.to - r.from, 0);
    const encoderDelay = made[0]?.encoderDelay ?? m.encoderDelay;
    return {
      ranges,
      frames,
      encoderDelay,
      padding: m.padding,
      samples: frames * m.samplesPerFrame - encoderDelay - m.padding,
    };
  }
  throw new Error('the last segment has an end');
}
