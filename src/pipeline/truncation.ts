/**
 * Telling a source that ends early: a cut-off upload or download still declares its full length
 * in its container (an MP3's Xing frame count, Matroska's Duration), and ffmpeg decodes what is
 * there without an error. The encoder's last position is the length it really had.
 */
import type { Span } from './ffmpeg-args.ts';
import { sourceTime } from './sponsorblock.ts';
import type { Truncation } from './types.ts';

/**
 * Encoders add or drop a few milliseconds of padding, and a site's declared duration is rounded to
 * the second: a shortfall within this is the same length.
 */
const SLACK_SEC = 2;

/**
 * Where the audio of an output ended, when it ended clearly before the part of the source it was
 * meant to cover; null when it covered it. `reached` is the encoder's position (seconds of output)
 * and `declared` the source's stated length.
 */
export function truncation(span: Span | undefined, declared: number | null, reached: number | null): Truncation | null {
  if (declared === null || reached === null) return null;
  const from = span?.start ?? 0;
  const to = Math.min(span?.end ?? declared, declared);
  // With stretches removed, the output's length is not the source's: where it reached in the source is.
  const at = span?.keep ? sourceTime(span.keep, reached) : from + reached;
  return to - at > SLACK_SEC ? { at, of: declared } : null;
}
