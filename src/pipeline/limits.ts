/**
 * How long a child process (a download, an encode, the loudness scan) may run and may go quiet,
 * and the errors a person sees when one of those limits ends it.
 */
import { ConvertError, type ErrorCode } from '../errors.ts';
import { formatDuration } from '../units.ts';
import { ToolError } from './process.ts';
import type { Engine } from './types.ts';

export interface ChildLimits {
  /** The overall cap on one child's run. */
  timeoutMs: number;
  /** The longest a child may go without progress (bytes arriving, its position growing). */
  idleTimeoutMs: number;
}

/**
 * Downloads and encodes run many times faster than the media plays; one taking longer than five
 * times the media's length plus ten minutes is trickling (a source that never quite stalls) or
 * stuck, and is not worth a worker slot. Without a known length, the longest media accepted
 * stands in for it: cap = (5 × (duration ?? YTCONV_MAX_DURATION) + 600 s).
 */
const CAP_PER_MEDIA_SECOND = 5;
const CAP_SLACK_SEC = 600;

export function childLimits(limits: Engine['limits'], durationSec: number | null): ChildLimits {
  const seconds = durationSec ?? limits.maxDurationSec;
  return {
    timeoutMs: (CAP_PER_MEDIA_SECOND * seconds + CAP_SLACK_SEC) * 1000,
    idleTimeoutMs: limits.idleTimeoutSec * 1000,
  };
}

/** A download is the site's doing (`network`); our own encode going quiet or slow is a bug (`internal`). */
const STEPS = {
  download: {
    code: 'network',
    stalled: (idle: string) => `The site stopped sending data for ${idle}.`,
    slow: 'The download',
  },
  convert: {
    code: 'internal',
    stalled: (idle: string) => `Converting made no progress for ${idle}.`,
    slow: 'Converting',
  },
} as const satisfies Record<string, { code: ErrorCode; stalled: (idle: string) => string; slow: string }>;

/** The error for a child that one of `limits` ended, or null when none did. */
export function limitError(err: unknown, step: keyof typeof STEPS, limits: Partial<ChildLimits>): ConvertError | null {
  if (!(err instanceof ToolError)) return null;
  const { code, stalled, slow } = STEPS[step];
  if (err.stalled && limits.idleTimeoutMs !== undefined) {
    return new ConvertError(code, stalled(formatDuration(limits.idleTimeoutMs / 1000)), { cause: err });
  }
  if (err.timedOut && limits.timeoutMs !== undefined) {
    const cap = formatDuration(limits.timeoutMs / 1000);
    return new ConvertError(
      code,
      `${slow} took longer than ${cap}, the most this server allows for media of this length.`,
      {
        cause: err,
      },
    );
  }
  return null;
}
