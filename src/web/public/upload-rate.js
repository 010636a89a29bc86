/**
 * An upload's speed and time left, smoothed: a browser reports progress in bursts (a buffer
 * handed to the network at once, then a pause), so the rate between two events jumps about. The
 * rate is averaged with weights that halve every few seconds, so it settles quickly and then
 * follows real changes in the connection without flickering. Pure, so it is unit-tested.
 */

/** @typedef {{ at: number, loaded: number, rate: number | null }} UploadRate */

/** How fast old measurements lose weight. */
const HALF_LIFE_MS = 3000;
/** Events closer together than this are folded into the next measurement. */
const MIN_SPAN_MS = 250;

/**
 * The rate after a progress event: `loaded` bytes sent by `now` (ms); `previous` is null for the
 * first event. Its `rate` (bytes per second) stays null until two events are far enough apart.
 * @param {UploadRate | null} previous
 * @param {number} loaded
 * @param {number} now
 * @returns {UploadRate}
 */
export function nextRate(previous, loaded, now) {
  if (previous === null) return { at: now, loaded, rate: null };
  const span = now - previous.at;
  if (span < MIN_SPAN_MS) return previous;
  const measured = ((loaded - previous.loaded) * 1000) / span;
  const keep = 0.5 ** (span / HALF_LIFE_MS);
  const rate = previous.rate === null ? measured : keep * previous.rate + (1 - keep) * measured;
  return { at: now, loaded, rate };
}

/**
 * Seconds until `total` bytes are sent at the smoothed rate; null while there is no rate yet.
 * @param {UploadRate} state
 * @param {number} total
 * @returns {number | null}
 */
export function secondsLeft(state, total) {
  return state.rate ? Math.max(0, total - state.loaded) / state.rate : null;
}
