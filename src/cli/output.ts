/** How the CLI reports results and failures: JSON on stdout with --json, plain lines otherwise. */
import { asConvertError, type ConvertError } from '../errors.ts';
import { SPONSORBLOCK_SKIPPED } from '../options.ts';
import type { OutputFile } from '../pipeline/types.ts';
import { formatClock } from '../units.ts';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * What a file's result says besides the file, in the page's words: its source ended early, it was
 * not split, SponsorBlock was asked for and could not be applied.
 */
export function fileNotes(file: Pick<OutputFile, 'path' | 'truncated' | 'unsplit' | 'sponsorblock'>): string[] {
  const t = file.truncated;
  const sponsorblock = file.sponsorblock;
  return [
    ...(t ? [`the file ended at ${formatClock(t.at)} of ${formatClock(t.of)}; this is all the audio it had.`] : []),
    ...(file.unsplit ? ['not split: the media has no chapters, so this is all of it in one file.'] : []),
    ...(sponsorblock && 'skipped' in sponsorblock ? [SPONSORBLOCK_SKIPPED[sponsorblock.skipped]] : []),
  ].map((note) => `ytconv: ${file.path}: ${note}`);
}

/** Print a failure as the user should see it (never a stack trace) and return the exit code. */
export function reportFailure(err: unknown, json: boolean, extra: Record<string, unknown> = {}): number {
  const e: ConvertError = asConvertError(err);
  if (json) printJson({ ...extra, error: e.toJSON() });
  else process.stderr.write(`ytconv: ${e.message} [${e.code}]\n`);
  if (e.code === 'internal' && e.cause) process.stderr.write(`${describeCause(e.cause)}\n`);
  return e.code === 'cancelled' ? 130 : 1;
}

/** The underlying failure, for the log (stderr), so an operator can diagnose `internal` errors. */
function describeCause(cause: unknown): string {
  const stderr = (cause as { stderr?: unknown }).stderr;
  const text = cause instanceof Error ? `${cause.message}` : String(cause);
  return typeof stderr === 'string' && stderr ? `${text}\n${stderr.trim().split('\n').slice(-5).join('\n')}` : text;
}

/** An AbortSignal that fires on Ctrl-C / SIGTERM; a second signal exits at once. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
