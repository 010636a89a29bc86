/**
 * Turns the many raw progress signals (yt-dlp lines, ffmpeg ticks) into a calm stream of
 * Progress events: at most a few per second, at least one per second while a phase runs,
 * and always one on a phase change.
 */
import type { Phase, Progress } from './types.ts';

const MIN_GAP_MS = 250;
/** The longest silence promised while a phase runs. */
const MAX_GAP_MS = 1000;
/**
 * The heartbeat ticks well inside the promised gap: a timer at the gap itself that skips when the
 * last event was a moment too recent only sends again one whole tick later, so gaps approach twice
 * the promise. Sending when a tick finds the last event older than MAX_GAP_MS - HEARTBEAT_TICK_MS
 * keeps every gap within MAX_GAP_MS (plus the event loop's own lateness).
 */
const HEARTBEAT_TICK_MS = 250;

export class ProgressReporter {
  readonly #emit: (p: Progress) => void;
  #last: Progress | null = null;
  #lastAt = 0;
  #item: Progress['item'];
  readonly #timer: NodeJS.Timeout;

  constructor(emit: ((p: Progress) => void) | undefined) {
    this.#emit = emit ?? (() => {});
    this.#timer = setInterval(() => this.#heartbeat(), HEARTBEAT_TICK_MS);
    this.#timer.unref();
  }

  /** Which playlist entry the following events are about. */
  setItem(item: Progress['item']): void {
    this.#item = item;
  }

  update(phase: Phase, fraction: number | null, eta: number | null = null): void {
    const p: Progress = { phase, fraction: clamp(fraction), eta: eta === null ? null : Math.max(0, Math.round(eta)) };
    if (this.#item) p.item = this.#item;
    const changed = this.#last?.phase !== phase || this.#last?.item?.index !== p.item?.index;
    this.#last = p;
    if (changed || Date.now() - this.#lastAt >= MIN_GAP_MS) this.#send(p);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #heartbeat(): void {
    if (this.#last && Date.now() - this.#lastAt >= MAX_GAP_MS - HEARTBEAT_TICK_MS) this.#send(this.#last);
  }

  #send(p: Progress): void {
    this.#lastAt = Date.now();
    this.#emit(p);
  }
}

function clamp(fraction: number | null): number | null {
  if (fraction === null || !Number.isFinite(fraction)) return null;
  return Math.min(1, Math.max(0, fraction));
}

/** Seconds left, from how much of `total` is done after `elapsedMs`. */
export function etaFrom(done: number, total: number | null, elapsedMs: number): number | null {
  if (!total || done <= 0 || elapsedMs < 500) return null;
  return ((total - done) / done) * (elapsedMs / 1000);
}
