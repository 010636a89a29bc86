/**
 * Turns the many raw progress signals (yt-dlp lines, ffmpeg ticks) into a calm stream of
 * Progress events about the whole job: at most a few per second, at least one per second while
 * it runs, and always one on a phase change. Each event carries the job's overall fraction (see
 * overall.ts) and the time left for all of it (see eta.ts).
 */
import { EtaEstimator } from './eta.ts';
import { ItemProgress, playlistFraction, probingFraction, type Route } from './overall.ts';
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

type Entry = { index: number; count: number; title?: string };

export class ProgressReporter {
  readonly #emit: (p: Progress) => void;
  readonly #eta = new EtaEstimator();
  #item = new ItemProgress();
  #entry: Entry | undefined;
  #phase: Phase | null = null;
  /** When the current phase (of the current item) began. */
  #phaseSince = 0;
  /** The whole job's fraction: only ever raised. */
  #whole = 0;
  #sent: { phase: Phase; index?: number; whole: number } | null = null;
  #lastAt = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(emit: ((p: Progress) => void) | undefined) {
    this.#emit = emit ?? (() => {});
    this.#timer = setInterval(() => this.#heartbeat(), HEARTBEAT_TICK_MS);
    this.#timer.unref();
  }

  /** Which playlist entry the following updates are about: a fresh item, its share of the whole. */
  setItem(entry: Entry): void {
    this.#entry = entry;
    this.#item = new ItemProgress();
    this.#phaseSince = Date.now();
  }

  /** How the current item's audio is made, once known: it decides the phases' weights. */
  route(route: Route): void {
    this.#item.route(route);
  }

  /** `phase` of the current item has done `fraction` of itself (null: unknown). */
  update(phase: Phase, fraction: number | null): void {
    if (phase !== this.#phase) this.#phaseSince = Date.now();
    this.#phase = phase;
    this.#raise(phase, fraction);
    const entry = this.#entry;
    const changed = this.#sent?.phase !== phase || this.#sent?.index !== entry?.index;
    // The end is never throttled away: a job must be seen to reach 1.
    const reachedEnd = this.#whole >= 1 && (this.#sent?.whole ?? 0) < 1;
    if (changed || reachedEnd || Date.now() - this.#lastAt >= MIN_GAP_MS) this.#send();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #raise(phase: Phase, fraction: number | null): void {
    const item = this.#item.update(phase, fraction);
    const entry = this.#entry;
    this.#whole = Math.max(this.#whole, entry ? playlistFraction(entry.index, entry.count, item) : item);
  }

  #heartbeat(): void {
    // Probing reports nothing until it ends: its share of the bar creeps with the time it takes.
    if (this.#phase === 'probing') this.#raise('probing', probingFraction(Date.now() - this.#phaseSince));
    if (this.#sent && Date.now() - this.#lastAt >= MAX_GAP_MS - HEARTBEAT_TICK_MS) this.#send();
  }

  /**
   * Every event, heartbeats too, asks for a fresh ETA: it counts down while nothing else changes.
   * A single item's pace is measured phase by phase (see eta.ts), and not at all while it probes,
   * whose creep is no pace; a playlist's over all of it, where whole entries even the phases out.
   */
  #send(): void {
    const phase = this.#phase as Phase;
    this.#lastAt = Date.now();
    const single = this.#entry === undefined;
    const eta =
      single && phase === 'probing' ? null : this.#eta.update(this.#whole, this.#lastAt, single ? phase : undefined);
    const p: Progress = { phase, fraction: this.#whole, eta: eta === null ? null : Math.round(eta) };
    if (this.#entry) p.item = { ...this.#entry, fraction: this.#item.fraction };
    this.#sent = { phase, index: this.#entry?.index, whole: this.#whole };
    this.#emit(p);
  }
}
