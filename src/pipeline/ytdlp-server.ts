/**
 * A warm yt-dlp: one long-lived Python process (ytdlp-server.py) that imports yt_dlp once and runs
 * each yt-dlp call in a fork of itself, so that a call costs a fork instead of a Python start and
 * an import (0.35–0.7 s each). A call is the same argv as a command line would get, built by
 * ytdlp.ts from our own values, so options, output, exit status and error texts are unchanged;
 * its stdout and stderr arrive on two Unix sockets in a private directory.
 *
 * The owner (a worker, or the CLI for one run) leases it once per job. It starts on the first
 * lease, and a new one replaces it when it dies, when it has served `maxJobs` jobs, and when the
 * yt-dlp file (or the plugin path) changes; a replaced one stops once its last job is done. A
 * yt-dlp that Python cannot import (a binary build) is run as a process per call, as before.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { OWNER_VARIABLE, ownerToken } from './leftovers.ts';
import { adopt, type Exit, type Running, type RunOptions, signalGroup, start, ToolError } from './process.ts';
import { pythonOf } from './tools.ts';
import type { Tools } from './types.ts';

const SCRIPT = fileURLToPath(new URL('./ytdlp-server.py', import.meta.url));
/** How long a stopping server may take to end its forks and exit before it is killed. */
const STOP_GRACE_MS = 2_000;

/** Runs yt-dlp with these arguments and returns it running. */
export type StartYtdlp = (args: readonly string[], opts: Omit<RunOptions, 'stdin'>) => Promise<Running>;

/** yt-dlp for one job; `release` when the job is done with it. */
export interface YtdlpLease {
  start: StartYtdlp;
  release(): void;
}

/** yt-dlp as a process of its own per call. */
export function ytdlpProcess(file: string): StartYtdlp {
  return async (args, opts) => start('yt-dlp', file, args, opts);
}

/**
 * The server for one yt-dlp and up to `maxJobs` jobs. Its process is started on first use, and
 * again on the next use after it died, so that a job whose server is killed between its calls
 * goes on with a new one.
 */
interface Slot {
  key: string;
  tools: Pick<Tools, 'ytdlp' | 'env'>;
  server: Promise<WarmServer | null> | null;
  jobs: number;
  active: number;
}

export class WarmYtdlp {
  readonly #maxJobs: number;
  #current: Slot | null = null;
  readonly #slots = new Set<Slot>();

  constructor(opts: { maxJobs: number }) {
    this.#maxJobs = opts.maxJobs;
  }

  async lease(tools: Pick<Tools, 'ytdlp' | 'env'>): Promise<YtdlpLease> {
    const key = await serverKey(tools);
    let slot = this.#current;
    if (slot === null || slot.key !== key || slot.jobs >= this.#maxJobs) {
      if (slot !== null) this.#retire(slot);
      slot = { key, tools, server: null, jobs: 0, active: 0 };
      this.#current = slot;
      this.#slots.add(slot);
    }
    const leased = slot;
    leased.jobs += 1;
    leased.active += 1;
    let released = false;
    return {
      start: (args, opts) => this.#start(leased, args, opts),
      release: () => {
        if (released) return;
        released = true;
        leased.active -= 1;
        if (leased !== this.#current) this.#retire(leased);
      },
    };
  }

  /** Stop every server now (the owner is shutting down; its jobs have ended or are being ended). */
  async close(): Promise<void> {
    this.#current = null;
    await Promise.all([...this.#slots].map((slot) => this.#stop(slot)));
  }

  async #start(slot: Slot, args: readonly string[], opts: Omit<RunOptions, 'stdin'>): Promise<Running> {
    for (;;) {
      slot.server ??= WarmServer.start(slot.tools, () => {
        slot.server = null;
      });
      const server = await slot.server;
      if (server === null) return ytdlpProcess(slot.tools.ytdlp)(args, opts);
      try {
        return await server.start(args, opts);
      } catch (err) {
        // Died before this call began (killed between calls): the next server takes it.
        if (!(err instanceof ServerGone)) throw err;
      }
    }
  }

  #retire(slot: Slot): void {
    if (this.#current === slot) this.#current = null;
    if (slot.active === 0) void this.#stop(slot);
  }

  async #stop(slot: Slot): Promise<void> {
    this.#slots.delete(slot);
    await (await slot.server)?.stop();
  }
}

/** The server ended before it began a call. */
class ServerGone extends Error {}

/** The server to use changes with the yt-dlp file as it is on disk, and with the plugin path. */
async function serverKey(tools: Pick<Tools, 'ytdlp' | 'env'>): Promise<string> {
  const stats = await stat(tools.ytdlp).catch(() => null);
  return [tools.ytdlp, stats?.size, stats?.mtimeMs, tools.env.PYTHONPATH].join('\0');
}

interface Reply {
  pid?: number;
  error?: string;
  gone?: boolean;
  exit?: number;
  signal?: NodeJS.Signals;
}

/** Waiting for one request's replies: its start (pid or error), then its end. */
interface Pending {
  started: (reply: Reply) => void;
  ended: (exit: Exit) => void;
  pid: number | null;
}

/** One running ytdlp-server.py. */
class WarmServer {
  readonly #python: Running;
  readonly #dir: string;
  readonly #pending = new Map<number, Pending>();
  #ids = 0;
  #gone = false;

  private constructor(python: Running, dir: string) {
    this.#python = python;
    this.#dir = dir;
  }

  /** Null when yt-dlp cannot be imported; `onExit` runs when a server that was ready ends. */
  static async start(tools: Pick<Tools, 'ytdlp' | 'env'>, onExit: () => void): Promise<WarmServer | null> {
    const python = await pythonOf(tools.ytdlp);
    if (python === null) return null;
    const running = start('python', python, [SCRIPT, tools.ytdlp], { stdin: true, env: tools.env });
    const lines = createInterface({ input: running.stdout });
    const first = await new Promise<{ ready?: boolean }>((resolve) => {
      lines.once('line', (line) => resolve(parseReply(line)));
      running.done.catch(() => {}).finally(() => resolve({ ready: false }));
    });
    if (first.ready !== true) {
      running.kill();
      return null;
    }
    const server = new WarmServer(running, await mkdtemp(join(tmpdir(), 'ytconv-ytdlp-')));
    lines.on('line', (line) => server.#receive(parseReply(line)));
    running.done
      .catch(() => {})
      .finally(() => {
        server.#lost();
        onExit();
      });
    return server;
  }

  async start(args: readonly string[], opts: Omit<RunOptions, 'stdin'>): Promise<Running> {
    const id = ++this.#ids;
    const paths = { stdout: join(this.#dir, `${id}.out`), stderr: join(this.#dir, `${id}.err`) };
    const [out, err] = await Promise.all([listenOnce(paths.stdout), listenOnce(paths.stderr)]);
    let ended: (exit: Exit) => void = () => {};
    const exit = new Promise<Exit>((resolve) => {
      ended = resolve;
    });
    const reply = await new Promise<Reply>((started) => {
      if (this.#gone) return started({ gone: true });
      this.#pending.set(id, { started, ended, pid: null });
      const env = { ...opts.env, [OWNER_VARIABLE]: ownerToken() };
      this.#python.stdin?.write(`${JSON.stringify({ id, args, env, ...paths })}\n`);
    });
    if (reply.pid === undefined) {
      for (const listener of [out, err]) listener.server.close();
      this.#pending.delete(id);
      if (reply.gone) throw new ServerGone();
      throw new ToolError('yt-dlp', { notFound: true, cause: new Error(reply.error) });
    }
    const [stdout, stderr] = await Promise.all([out.socket, err.socket]);
    void exit.then(() => drainUnread(stdout));
    // Like a child's 'close': the end, and then both streams read to their end.
    const closed = Promise.all([exit, ...[stdout, stderr].map(closing)]).then(([e]) => e);
    return adopt('yt-dlp', { pid: reply.pid, stdout, stderr, exit: closed }, opts);
  }

  #receive(reply: Reply & { id?: number }): void {
    const id = reply.id ?? 0;
    const pending = this.#pending.get(id);
    if (!pending) return;
    if (reply.pid !== undefined || reply.error !== undefined || reply.gone) {
      pending.pid = reply.pid ?? null;
      pending.started(reply);
      return;
    }
    this.#pending.delete(id);
    pending.ended({ exitCode: reply.exit ?? null, signal: reply.signal ?? null });
  }

  /** The server is gone: its forks go too, and whatever waited on it hears so. */
  #lost(): void {
    this.#gone = true;
    for (const pending of this.#pending.values()) {
      if (pending.pid !== null) signalGroup(pending.pid, 'SIGKILL');
      pending.started({ gone: true });
      pending.ended({ exitCode: null, signal: 'SIGKILL' });
    }
    this.#pending.clear();
    void rm(this.#dir, { recursive: true, force: true });
  }

  /** Closing its stdin ends its forks and then itself; a server that does not is killed. */
  async stop(): Promise<void> {
    this.#python.stdin?.end();
    const timer = setTimeout(() => this.#python.kill(), STOP_GRACE_MS);
    await this.#python.done.catch(() => {});
    clearTimeout(timer);
  }
}

/** A Unix socket that takes one connection and then stops listening (and so removes its file). */
async function listenOnce(path: string): Promise<{ server: Server; socket: Promise<Socket> }> {
  const server = createServer();
  const socket = new Promise<Socket>((resolve) => {
    server.once('connection', (connection) => {
      server.close();
      // A reset (the fork killed) ends the stream like any other end; 'close' still follows.
      connection.on('error', () => {});
      resolve(connection);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  return { server, socket };
}

/**
 * Once the fork has ended, output its reader no longer takes (an encoder that stopped early and
 * was unpiped) is let drain, so that the stream ends and the call can end too; output not yet
 * read by anyone is kept for its reader.
 */
function drainUnread(socket: Socket): void {
  const drain = (): void => {
    if (socket.readableFlowing === false && socket.listenerCount('data') === 0) socket.resume();
  };
  drain();
  socket.on('pause', () => setImmediate(drain));
}

function closing(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) resolve();
    else socket.once('close', () => resolve());
  });
}

function parseReply(line: string): Reply & { id?: number; ready?: boolean } {
  try {
    return JSON.parse(line) as Reply & { id?: number; ready?: boolean };
  } catch {
    return {};
  }
}
