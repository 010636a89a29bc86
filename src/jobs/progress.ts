/**
 * The progress a take of a conversion shows people. A retake (its first worker was killed, or
 * shut down) starts the work over from nothing, but people saw the earlier take get further:
 * a bar that fell back to 0 % would read as lost work and a broken page. Neither that nor a bar
 * that pretends the new take is as far along is honest, so the highest value shown is held while
 * the new take catches up, with the phase named `resuming` meanwhile (the page says so instead
 * of naming a step it already showed as passed). The ETA stays the take's own: the time left is
 * real, whatever the held bar says. Once the take passes the mark, its own progress shows again.
 */
import type { ProgressUpdate } from '../db/conversion-state.ts';
import type { Progress } from '../pipeline/types.ts';

/** What to store for `p`, a take's own report, when the work had reached `mark` before (0 if never). */
export function heldProgress(p: Progress, mark: number): ProgressUpdate {
  if (p.fraction >= mark) return { phase: p.phase, progress: p.fraction, eta: p.eta };
  return { phase: 'resuming', progress: mark, eta: p.eta };
}
