/**
 * One fraction for a whole job: each phase's own fraction weighted by the share of the job's time
 * that phase is expected to take, so the bar moves at about the same pace from start to end and
 * never drops back to 0 when the next phase starts. It never decreases, by construction: a phase
 * that restarts (a download retried from its first byte), a late report of an earlier phase or a
 * change of weights can hold it still, never move it back.
 */
import type { Phase } from './types.ts';

export const PHASES: readonly Phase[] = ['probing', 'downloading', 'converting', 'tagging'];

/**
 * How an item's audio is made, which decides how its time splits between the phases:
 * - `stream`: yt-dlp's download piped into ffmpeg (an encode or a copy): the encoder keeps up with
 *   the download, so "downloading" holds nearly all of it and "converting" is only the tail after
 *   the last byte (a copy's tail is shorter still, 0.03 s against 0.2 s: too little to tell apart);
 * - `download`: the file is downloaded first, then encoded (containers that need seeking, chapters
 *   split into several files);
 * - `normalize`: downloaded first, then a loudness scan and the encode, both "converting";
 * - `file`: an upload, already here: nothing to download.
 */
export type Route = 'stream' | 'download' | 'normalize' | 'file';

/**
 * Shares of the job's time, measured on the stand-in site (2 shared cores, yt-dlp without a warm
 * helper) with two videos: the slow one (30 s of audio at 100 kB/s, network-bound like a real
 * download) and the lengthy one (240 s, delivered at once, so CPU-bound). Probing is a fixed
 * 1.5–3 s (yt-dlp's extract; ffprobe's 0.8 s for an upload), tagging 0.4–1 s (the cover, then
 * rewriting the file). Measured shares of probing/downloading/converting/tagging, slow | lengthy:
 * - stream: .18/.67/.03/.11 | .34/.48/.03/.14;
 * - download (split by chapters): .20/.70/.04/.07 | .30/.11/.50/.10;
 * - normalize (to M4A): .22/.44/.30/.04 | .09/.06/.83/.02;
 * - file (an upload to MP3): .35/0/.25/.39 | .16/0/.68/.15.
 * The weights sit between the two, nearer the slow video where the two disagree: real downloads
 * are network-bound. Except for normalize, where converting is the larger share in both and
 * a long encode (FLAC, 240 s: a minute of it) left the bar at 45 % for most of the job: there it
 * sits nearer the lengthy video. What they get wrong for a given job (a fast link, a long encode) shows as a
 * bar that speeds up or slows down between phases; the ETA follows the pace, not the weights.
 * Tagging has since become part of the encode (no second pass): its share went to the other
 * phases in proportion, and the phase itself takes no time.
 */
export const WEIGHTS: Readonly<Record<Route, Readonly<Record<Phase, number>>>> = {
  stream: { probing: 0.28, downloading: 0.68, converting: 0.04, tagging: 0 },
  download: { probing: 0.22, downloading: 0.5, converting: 0.28, tagging: 0 },
  normalize: { probing: 0.13, downloading: 0.24, converting: 0.63, tagging: 0 },
  file: { probing: 0.25, downloading: 0, converting: 0.75, tagging: 0 },
};

/** One item's (a video's, an upload's, a playlist entry's) fraction, 0..1, never decreasing. */
export class ItemProgress {
  /** Until probing tells how the audio will be made, the commonest route stands in. */
  #weights = WEIGHTS.stream;
  #fraction = 0;

  get fraction(): number {
    return this.#fraction;
  }

  route(route: Route): void {
    this.#weights = WEIGHTS[route];
  }

  /** `phase` has done `fraction` of itself (null: unknown, counted as just started). */
  update(phase: Phase, fraction: number | null): number {
    // Counted as what is left, so that the last phase's end is exactly 1 whatever the rounding.
    const after = PHASES.slice(PHASES.indexOf(phase) + 1).reduce((sum, p) => sum + this.#weights[p], 0);
    const left = after + this.#weights[phase] * (1 - clamp01(fraction ?? 0));
    this.#fraction = Math.max(this.#fraction, clamp01(1 - left));
    return this.#fraction;
  }
}

/**
 * Probing's time, measured on the stand-in site: 1.5–3 s on 2 cores to themselves, about 10 s
 * when they are shared with other work.
 */
const PROBING_EXPECTED_MS = 3000;
/** Probing's share is never shown complete before it ends. */
const PROBING_CREEP_MAX = 0.9;

/**
 * How far probing (one yt-dlp extract, or ffprobe for a file), which reports nothing until it
 * ends, is taken to be after `elapsedMs`: creeping towards 90 % of itself, fast at first and ever
 * slower, so that the bar shows the job alive (it sat at 0 % for 10 s on a loaded machine)
 * without ever claiming the step done or promising when it will be.
 */
export function probingFraction(elapsedMs: number): number {
  return PROBING_CREEP_MAX * (1 - Math.exp(-Math.max(0, elapsedMs) / PROBING_EXPECTED_MS));
}

/**
 * A playlist's fraction while its entry `index` (1-based) of `count` runs: the entries before it
 * are over (done, failed or skipped, each a whole share) and the running one counts its fraction.
 */
export function playlistFraction(index: number, count: number, entry: number): number {
  return clamp01((index - 1 + clamp01(entry)) / count);
}

/** The running entry's own fraction, back from the playlist's (the inverse of playlistFraction). */
export function entryFraction(whole: number, index: number, count: number): number {
  return clamp01(whole * count - (index - 1));
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
