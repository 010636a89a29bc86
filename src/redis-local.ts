/**
 * Redis for one machine: use the one at REDIS_URL when it answers; otherwise, when that URL is on
 * this machine and a redis-server binary exists, start a private one for this session (AOF on,
 * so a crash loses no job; noeviction, as BullMQ requires) and stop it afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { Redis } from 'ioredis';

export interface LocalRedis {
  url: string;
  /** True when this process started the server (and `stop` ends it). */
  private: boolean;
  stop(): Promise<void>;
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** The Redis to use: the configured one, or a private one started in `dir` on `port` (default: the URL's). */
export async function ensureRedis(url: string, dir: string, server: string | null, port?: number): Promise<LocalRedis> {
  if (await redisAnswers(url)) return { url, private: false, stop: async () => {} };
  const parsed = new URL(url);
  if (!LOCAL_HOSTS.has(parsed.hostname) || server === null) {
    throw new Error(
      `no Redis answers at ${url}: start one (Debian/Ubuntu: apt-get install redis-server), or set REDIS_URL`,
    );
  }
  parsed.port = String(port ?? (Number(parsed.port) || 6379));
  await mkdir(dir, { recursive: true });
  // A process group of its own: Ctrl-C in a terminal reaches the whole foreground group, and
  // Redis must outlive the worker that is still handing its job back; the caller stops it last.
  const child = spawn(server, serverArgs(dir, Number(parsed.port)), { stdio: 'ignore', detached: true });
  const started = new Promise<never>((_, reject) => child.once('error', reject));
  started.catch(() => {});
  await Promise.race([waitUntilAnswers(parsed.href, child), started]).catch((err: Error) => {
    throw new Error(`redis-server could not be started: ${err.message}`);
  });
  return { url: parsed.href, private: true, stop: () => stopServer(child) };
}

function serverArgs(dir: string, port: number): string[] {
  return [
    ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir],
    ...['--appendonly', 'yes', '--maxmemory-policy', 'noeviction', '--save', ''],
  ];
}

async function waitUntilAnswers(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (await redisAnswers(url, 200)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start within 5 s');
}

/** Redis saves its AOF on SIGTERM; one that has not ended after the grace period is killed. */
function stopServer(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
