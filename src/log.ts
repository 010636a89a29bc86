/**
 * Logs of the service processes (web, worker, run): one JSON object per line through pino, so
 * that they can be searched by job and conversion id. Failures are logged with their cause chain
 * and the last lines a tool wrote to stderr; people only ever see our own messages.
 */
import { type Logger, pino } from 'pino';
import { ToolError } from './pipeline/process.ts';

export type { Logger };

export type Role = 'web' | 'worker' | 'run';

/**
 * Lines are written asynchronously (gathered while a write is under way): a burst of requests
 * then costs a few writes instead of one blocking write each. pino flushes what is pending when
 * the process exits, also on an uncaught error; only a SIGKILL can lose the last lines.
 */
export function createLogger(role: Role, level: string): Logger {
  return pino(
    { level, base: { role, pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ sync: false }),
  );
}

/** Lines of a tool's stderr kept with a failure: enough to see why, not the whole progress output. */
const STDERR_LINES = 15;

/** What a log needs of a failure: its messages down the cause chain, and a failing tool's last words. */
export function failureDetails(err: unknown): { causes: string[]; tool?: string; stderr?: string } {
  const causes: string[] = [];
  let tool: ToolError | undefined;
  for (let e: unknown = err; e instanceof Error && causes.length < 8; e = e.cause) {
    causes.push(`${e.name}: ${e.message}`);
    if (e instanceof ToolError) tool ??= e;
  }
  if (tool === undefined) return { causes };
  return { causes, tool: tool.tool, stderr: tool.stderr.trimEnd().split('\n').slice(-STDERR_LINES).join('\n') };
}

/**
 * An `error` listener for BullMQ and ioredis objects: while Redis is away they report the same
 * refusal many times a second, which is one line per period here, not a stack trace each.
 */
export function quietErrors(log: Logger, what: string, periodMs = 30_000): (err: Error) => void {
  let lastAt = 0;
  let missed = 0;
  return (err) => {
    const now = Date.now();
    if (now - lastAt < periodMs) {
      missed++;
      return;
    }
    log.warn({ what, error: err.message, repeated: missed }, `${what}: ${err.message}`);
    lastAt = now;
    missed = 0;
  };
}
