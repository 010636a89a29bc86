/**
 * The time left for a whole job, from how fast its overall fraction has been growing. The rate is
 * an exponential moving average over elapsed time (not over reports), so bursts of reports and
 * quiet stretches weigh by how long they lasted. The estimate shown then counts down in real time
 * and is only revised upwards when the work has clearly fallen behind it: a steady job's ETA never
 * rises, a job that really slows down still gets an honest one.
 *
 * The pace is measured afresh in each stretch the caller names (a single item's phase): phases
 * move the overall fraction at paces up to 50 times apart (a 240 s video delivered at once is
 * 45 % of the bar in 2 s, then its FLAC encode with loudness normalisation creeps for a minute),
 * and a rate carried over from a fast phase made the ETA of the slow one start at 1–2 s and climb
 * by a few seconds at every update for half a minute. Meanwhile the last estimate counts down.
 */

/**
 * Long enough to ride out yt-dlp's bursts (it reports every 0.3–1 s, up to 15 % of a slow download
 * at once) and a phase's step in the overall fraction; short enough to follow a real change of
 * speed within a few seconds.
 */
const RATE_TIME_CONSTANT_MS = 8000;
/** Less than this much running time says nothing about the rate. */
const MIN_ELAPSED_MS = 1000;
/** The estimate may fall behind the countdown by this factor plus margin before it is revised up. */
const REVISE_FACTOR = 1.25;
const REVISE_MARGIN_SEC = 2;

interface Sample {
  at: number;
  fraction: number;
}

export class EtaEstimator {
  /** The first report, and the first that had moved on from it: time before that (probing) and
   * the step out of it are fixed costs, which say nothing about the pace of the rest. */
  #origin: Sample | null = null;
  #first: Sample | null = null;
  #last: Sample | null = null;
  /** Fraction per millisecond, once known. */
  #rate: number | null = null;
  /** Seconds left as last answered. */
  #shown: number | null = null;
  #stretch: string | undefined;

  /**
   * The job's fraction is `fraction` at time `at` (ms), in the stretch named `stretch` (the pace is
   * measured within one); returns the seconds left, or null when unknown.
   */
  update(fraction: number, at: number, stretch?: string): number | null {
    const last = this.#last;
    this.#last = { at, fraction };
    if (stretch !== this.#stretch) {
      this.#stretch = stretch;
      this.#origin = null;
      this.#first = null;
      this.#rate = null;
    }
    this.#origin ??= this.#last;
    if (!this.#first && fraction > this.#origin.fraction) this.#first = this.#last;
    const dt = last ? at - last.at : 0;
    if (!last || dt <= 0) return this.#shown;
    if (this.#first) this.#rate = this.#nextRate(fraction, at, last, dt);
    if (this.#rate === null || this.#rate <= 0) return this.#countDown(dt);
    const estimate = (1 - fraction) / this.#rate / 1000;
    this.#shown = this.#settle(estimate, dt);
    return this.#shown;
  }

  /** The last estimate, less the time gone since: what to show while the pace is unknown. */
  #countDown(dt: number): number | null {
    if (this.#shown !== null) this.#shown = Math.max(0, this.#shown - dt / 1000);
    return this.#shown;
  }

  #nextRate(fraction: number, at: number, last: Sample, dt: number): number | null {
    if (this.#rate === null) {
      const first = this.#first as Sample;
      // Seeded with the average so far, so a steady job starts at its true rate instead of climbing to it.
      const elapsed = at - first.at;
      return elapsed >= MIN_ELAPSED_MS && fraction > first.fraction ? (fraction - first.fraction) / elapsed : null;
    }
    const weight = 1 - Math.exp(-dt / RATE_TIME_CONSTANT_MS);
    return this.#rate + weight * ((fraction - last.fraction) / dt - this.#rate);
  }

  /** The new estimate, unless it is only a little above the previous answer counted down. */
  #settle(estimate: number, dt: number): number {
    if (this.#shown === null) return estimate;
    const countdown = Math.max(0, this.#shown - dt / 1000);
    if (estimate <= countdown) return estimate;
    return estimate > countdown * REVISE_FACTOR + REVISE_MARGIN_SEC ? estimate : countdown;
  }
}
