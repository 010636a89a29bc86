/**
 * The only place ytconv starts child processes (yt-dlp, ffmpeg, ffprobe). Fixed argv and never a
 * shell; an overall time limit, an inactivity limit fed by the caller's idea of progress, and an
 * AbortSignal; SIGTERM to the whole process group, then SIGKILL after a grace period; a typed
 * ToolError that callers branch on by its flags, not by parsing messages. Children die with us,
 * even when we are SIGKILLed (the watchdog below), and carry our mark for a later sweep.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { getPriority, setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { OWNER_VARIABLE, ownerToken } from './leftovers.ts';

export type ToolName = 'yt-dlp' | 'ffmpeg' | 'ffprobe' | 'python';

export interface RunOptions {
  signal?: AbortSignal;
  /** Wall-clock limit; the child is killed when it passes (ToolError.timedOut). */
  timeoutMs?: number;
  /**
   * Inactivity limit: the child is killed (ToolError.stalled) when this long passes after a call of
   * Running.progressed() without another. What counts as progress is the caller's to say: bytes
   * arriving, a position that grows. The clock starts at the first progress, so a slow start-up
   * (seconds for a Python program importing its extractors) is never a stall; until then the
   * overall limit and the tool's own timeouts (yt-dlp's 20 s socket timeout) apply.
   */
  idleTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** Always given: a child never inherits our whole environment (Tools.env is the allow-listed one). */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Give the child a writable stdin (for piping); otherwise stdin is closed. */
  stdin?: boolean;
  /** Called for each complete stderr line as it arrives (progress parsing). */
  onStderrLine?: (line: string) => void;
  /** Never keep this process running for the child's sake (long-lived helpers that end with us). */
  unref?: boolean;
}

const STDERR_KEEP = 64 * 1024;

export class ToolError extends Error {
  override readonly name = 'ToolError';
  readonly tool: ToolName;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  /** Killed for making no progress for RunOptions.idleTimeoutMs. */
  readonly stalled: boolean;
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
      stalled?: boolean;
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
          : fields.stalled
            ? 'stopped making progress'
            : fields.signal
              ? `was killed by ${fields.signal}`
              : `exited with code ${fields.exitCode}`;
    super(`${tool} ${why}`, { cause: fields.cause });
    this.tool = tool;
    this.exitCode = fields.exitCode ?? null;
    this.signal = fields.signal ?? null;
    this.timedOut = fields.timedOut ?? false;
    this.stalled = fields.stalled ?? false;
    this.isCanceled = fields.isCanceled ?? false;
    this.notFound = fields.notFound ?? false;
    this.stderr = fields.stderr ?? '';
  }
}

export interface Running {
  readonly stdout: Readable;
  /** Present only when started with `stdin: true`. */
  readonly stdin: Writable | null;
  /** Resolves with the full stdout text when not consumed elsewhere; rejects with ToolError. */
  readonly done: Promise<void>;
  /** Kill now (SIGTERM, then SIGKILL after the grace period). */
  kill(): void;
  /** The child made progress: restart its inactivity limit. */
  progressed(): void;
}

/** How a process ended; `notFound` when it never started. */
export interface Exit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  notFound?: boolean;
  cause?: unknown;
}

/**
 * A process another process started for us (the warm yt-dlp's forks), leading a process group of
 * its own; `exit` settles once it has ended and both its streams have closed.
 */
export interface Adopted {
  pid: number;
  stdout: Readable;
  stderr: Readable;
  exit: Promise<Exit>;
}

/** Start a tool. Its stdout is left for the caller to consume (pipe or read). */
export function start(
  tool: ToolName,
  file: string,
  args: readonly string[],
  opts: RunOptions,
): Running & { child: ChildProcess } {
  const child = spawn(file, args, {
    cwd: opts.cwd,
    env: { ...opts.env, [OWNER_VARIABLE]: ownerToken() },
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    // Own process group, so that a kill reaches whatever the tool starts itself.
    detached: true,
  });
  if (child.pid !== undefined) keepPriority(child.pid);
  const { stdout, stderr } = child;
  if (!stdout || !stderr) throw new Error('spawn gave no stdio pipes');
  if (opts.unref) {
    for (const stream of [child.stdin, stdout, stderr]) (stream as { unref?: () => void } | null)?.unref?.();
    child.unref();
  }
  // A child that dies early must not crash us with EPIPE on its stdin.
  child.stdin?.on('error', () => {});
  let spawnError: NodeJS.ErrnoException | undefined;
  child.once('error', (err: NodeJS.ErrnoException) => {
    spawnError = err;
  });
  const exit = new Promise<Exit>((resolve) => {
    // A child that never started has no pid (Node reports ENOENT/EACCES as a negative code).
    child.once('close', (exitCode, signal) =>
      resolve({ exitCode, signal, notFound: spawnError !== undefined && child.pid === undefined, cause: spawnError }),
    );
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return { ...supervise(tool, { pid: child.pid, stdout, stderr, exit, alive }, opts), stdin: child.stdin, child };
}

/** Hold a process another started for us to the same limits, kills and errors as our own children. */
export function adopt(tool: ToolName, proc: Adopted, opts: Omit<RunOptions, 'stdin'>): Running {
  let alive = true;
  const exit = proc.exit.finally(() => {
    alive = false;
  });
  return { ...supervise(tool, { ...proc, exit, alive: () => alive }, opts), stdin: null };
}

interface Supervised {
  pid: number | undefined;
  stdout: Readable;
  stderr: Readable;
  exit: Promise<Exit>;
  alive: () => boolean;
}

function supervise(tool: ToolName, proc: Supervised, opts: RunOptions): Omit<Running, 'stdin'> {
  const group = proc.pid;
  if (group !== undefined) watch(group);
  const ending = endings(proc, opts);
  let stderr = '';
  createInterface({ input: proc.stderr, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    stderr = `${stderr}${line}\n`.slice(-STDERR_KEEP);
    opts.onStderrLine?.(line);
  });
  const done = proc.exit.then(({ exitCode, signal, notFound, cause }) => {
    if (group !== undefined) unwatch(group);
    const why = ending.settle();
    if (exitCode === 0 && !why.isCanceled && !why.timedOut && !why.stalled) return;
    throw new ToolError(tool, { exitCode, signal, ...why, notFound, stderr, cause });
  });
  return { stdout: proc.stdout, done, kill: ending.kill, progressed: ending.progressed };
}

/** Why a child was ended by us, if it was. */
interface Ending {
  timedOut: boolean;
  stalled: boolean;
  isCanceled: boolean;
}

/**
 * The ways we end a child: its AbortSignal, its overall and inactivity limits, or a kill() call.
 * settle() stops them all once the child has closed and says which, if any, ended it.
 */
function endings(proc: { pid: number | undefined; alive: () => boolean }, opts: RunOptions) {
  const why: Ending = { timedOut: false, stalled: false, isCanceled: false };
  let killTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const kill = (): void => {
    if (!proc.alive() || killTimer) return;
    signalGroup(proc.pid, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(proc.pid, 'SIGKILL'), opts.killGraceMs ?? 1000);
  };
  const endFor = (flag: keyof Ending) => (): void => {
    why[flag] = true;
    kill();
  };
  const onAbort = endFor('isCanceled');
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });
  const timeout = opts.timeoutMs === undefined ? undefined : setTimeout(endFor('timedOut'), opts.timeoutMs);
  let idle: NodeJS.Timeout | undefined;
  return {
    kill,
    progressed: (): void => {
      if (closed || opts.idleTimeoutMs === undefined) return;
      if (idle) idle.refresh();
      else idle = setTimeout(endFor('stalled'), opts.idleTimeoutMs);
    },
    settle: (): Ending => {
      closed = true;
      for (const timer of [timeout, idle, killTimer]) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      return why;
    },
  };
}

/** Run a tool to completion and return its stdout as text. */
export async function run(
  tool: ToolName,
  file: string,
  args: readonly string[],
  opts: Omit<RunOptions, 'stdin'>,
): Promise<string> {
  return collect(start(tool, file, args, opts));
}

/** Wait for a started tool to end and return its stdout as text. */
export async function collect(running: Running): Promise<string> {
  const chunks: Buffer[] = [];
  running.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  await running.done;
  return Buffer.concat(chunks).toString('utf8');
}

/** The nice value children start with: 0 keeps ours (the CLI); a worker lowers it (batch work). */
let childNiceness = 0;

/**
 * From now on, every tool this process starts runs at nice `niceness`, while this process keeps
 * its own priority: a worker's event loop (taking jobs, renewing locks, reporting progress) then
 * answers as promptly as the web process, and only the encoders and downloads yield.
 */
export function lowerChildPriority(niceness: number): void {
  childNiceness = niceness;
}

/**
 * A child in a session of its own (`detached`) also gets a scheduling group of its own where Linux
 * groups processes by session (autogroup, on by default on desktops and many servers), and then
 * competes at full weight whatever its nice value: so the group gets the nice value too. Set
 * right after the spawn, before the child starts children of its own. Best effort.
 */
function keepPriority(pid: number): void {
  const nice = Math.max(getPriority(), childNiceness);
  if (nice <= 0) return;
  try {
    if (nice > getPriority(pid)) setPriority(pid, nice);
    writeFileSync(`/proc/${pid}/autogroup`, String(nice));
  } catch {
    // Gone already, or no autogroup here (another OS, or it is off): nice values alone apply.
  }
}

/** Signal a process group we started or adopted; one already gone is no error. */
export function signalGroup(group: number | undefined, signal: NodeJS.Signals): void {
  if (group === undefined) return;
  try {
    process.kill(-group, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Children run in process groups of their own, so nothing ends them when we are SIGKILLed. A
 * watchdog does: one tiny shell per Node process, started with the first child, reading a pipe
 * from us. We tell it each group as it starts (+PGID) and ends (-PGID); when the pipe reaches EOF
 * (we are gone, however we went) it SIGKILLs every group still listed. If it dies, the next one
 * is told every group at once. A shell because it is the one program sure to be there; the script
 * is fixed and reads nothing but our pipe. The window between a spawn and its +PGID, and a
 * watchdog killed with us, are left to sweepLeftovers.
 */
const WATCHDOG_SCRIPT = `# ytconv watchdog
groups=' '
while IFS= read -r line; do
  case $line in
    +*) groups="$groups\${line#+} " ;;
    -*) g=\${line#-}
        case $groups in *" $g "*) groups="\${groups%% $g *} \${groups#* $g }" ;; esac ;;
  esac
done
for g in $groups; do kill -KILL -"$g" 2>/dev/null; done`;

const watched = new Set<number>();
let watchdog: Socket | null = null;

function watch(group: number): void {
  watched.add(group);
  if (watchdog) watchdog.write(`+${group}\n`);
  else startWatchdog();
}

function unwatch(group: number): void {
  watched.delete(group);
  watchdog?.write(`-${group}\n`);
}

function startWatchdog(): void {
  const dog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT], {
    cwd: '/',
    env: {},
    stdio: ['pipe', 'ignore', 'ignore'],
    // Out of our process group, so that a signal meant for us (Ctrl-C) does not end it first.
    detached: true,
  });
  const pipe = dog.stdin as Socket;
  watchdog = pipe;
  // Neither may keep Node running: the watchdog is only for when Node stops.
  dog.unref();
  pipe.unref();
  // A write to a dead watchdog fails; its 'exit' starts the next one.
  pipe.on('error', () => {});
  dog.once('error', () => {
    if (watchdog === pipe) watchdog = null;
  });
  dog.once('exit', () => {
    if (watchdog !== pipe) return;
    watchdog = null;
    if (watched.size > 0) startWatchdog();
  });
  pipe.write([...watched].map((group) => `+${group}\n`).join(''));
}
