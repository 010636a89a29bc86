/**
 * The only place ytconv starts child processes (yt-dlp, ffmpeg, ffprobe). Fixed argv and never a
 * shell; a timeout and an AbortSignal; SIGTERM to the whole process group, then SIGKILL after a
 * grace period; a typed ToolError that callers branch on by its flags, not by parsing messages.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export type ToolName = 'yt-dlp' | 'ffmpeg' | 'ffprobe' | 'python';

export interface RunOptions {
  signal?: AbortSignal;
  /** Wall-clock limit; the child is killed when it passes. */
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** Always given: a child never inherits our whole environment (Tools.env is the allow-listed one). */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Give the child a writable stdin (for piping); otherwise stdin is closed. */
  stdin?: boolean;
  /** Called for each complete stderr line as it arrives (progress parsing). */
  onStderrLine?: (line: string) => void;
}

const STDERR_KEEP = 64 * 1024;

export class ToolError extends Error {
  override readonly name = 'ToolError';
  readonly tool: ToolName;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly isCanceled: boolean;
  /** The executable could not be started at all (ENOENT, EACCES). */
  readonly notFound: boolean;
  readonly stderr: string;

  constructor(
    tool: ToolName,
    fields: {
      exitCode?: number | null;
      signal?: NodeJS.Signals | null;
      timedOut?: boolean;
      isCanceled?: boolean;
      notFound?: boolean;
      stderr?: string;
      cause?: unknown;
    },
  ) {
    const why = fields.notFound
      ? 'could not be started'
      : fields.isCanceled
        ? 'was cancelled'
        : fields.timedOut
          ? 'timed out'
          : fields.signal
            ? `was killed by ${fields.signal}`
            : `exited with code ${fields.exitCode}`;
    super(`${tool} ${why}`, { cause: fields.cause });
    this.tool = tool;
    this.exitCode = fields.exitCode ?? null;
    this.signal = fields.signal ?? null;
    this.timedOut = fields.timedOut ?? false;
    this.isCanceled = fields.isCanceled ?? false;
    this.notFound = fields.notFound ?? false;
    this.stderr = fields.stderr ?? '';
  }
}

export interface Running {
  readonly child: ChildProcess;
  readonly stdout: Readable;
  /** Present only when started with `stdin: true`. */
  readonly stdin: Writable | null;
  /** Resolves with the full stdout text when not consumed elsewhere; rejects with ToolError. */
  readonly done: Promise<void>;
  /** Kill now (SIGTERM, then SIGKILL after the grace period). */
  kill(): void;
}

/** Start a tool. Its stdout is left for the caller to consume (pipe or read). */
export function start(tool: ToolName, file: string, args: readonly string[], opts: RunOptions): Running {
  const child = spawn(file, args, {
    cwd: opts.cwd,
    env: opts.env,
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    // Own process group, so that a kill reaches whatever the tool starts itself.
    detached: true,
  });
  let stderr = '';
  let timedOut = false;
  let canceled = false;
  let killTimer: NodeJS.Timeout | undefined;

  const kill = (): void => {
    if (child.exitCode !== null || child.signalCode !== null || killTimer) return;
    signalGroup(child, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), opts.killGraceMs ?? 1000);
  };
  const onAbort = (): void => {
    canceled = true;
    kill();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  const timeout =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          kill();
        }, opts.timeoutMs);

  const { stdout, stderr: errStream } = child;
  if (!stdout || !errStream) throw new Error('spawn gave no stdio pipes');
  createInterface({ input: errStream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    stderr = `${stderr}${line}\n`.slice(-STDERR_KEEP);
    opts.onStderrLine?.(line);
  });
  // A child that dies early must not crash us with EPIPE on its stdin.
  child.stdin?.on('error', () => {});

  const done = new Promise<void>((resolve, reject) => {
    let spawnError: NodeJS.ErrnoException | undefined;
    child.once('error', (err: NodeJS.ErrnoException) => {
      spawnError = err;
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timeout);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (exitCode === 0 && !canceled && !timedOut) return resolve();
      // A child that never started has no pid (Node reports ENOENT/EACCES as a negative code).
      const notFound = spawnError !== undefined && child.pid === undefined;
      reject(
        new ToolError(tool, {
          exitCode,
          signal,
          timedOut,
          isCanceled: canceled,
          notFound,
          stderr,
          cause: spawnError,
        }),
      );
    });
  });
  return { child, stdout, stdin: child.stdin, done, kill };
}

/** Run a tool to completion and return its stdout as text. */
export async function run(
  tool: ToolName,
  file: string,
  args: readonly string[],
  opts: Omit<RunOptions, 'stdin'>,
): Promise<string> {
  const running = start(tool, file, args, opts);
  const chunks: Buffer[] = [];
  running.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  await running.done;
  return Buffer.concat(chunks).toString('utf8');
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}
