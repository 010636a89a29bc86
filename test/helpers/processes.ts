/**
 * A stack's service as deployed: a real `ytconv web` process and real `ytconv worker` processes
 * (bin/ytconv, as people start them), sharing only the stack's database, Redis prefix and
 * storage. Tests talk to the web process over HTTP, like a browser or curl would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { JobStatus, JobView } from '../../src/jobs/types.ts';
import { freePort, type Stack, waitForStatus } from './stack.ts';

const YTCONV = join(import.meta.dirname, '..', '..', 'bin', 'ytconv');

/** Long enough for a cold Node start that loads Fastify, BullMQ and the database driver. */
const START_TIMEOUT_MS = 15_000;
/** A worker hands its running jobs back on SIGTERM within moments; a stuck one is killed. */
const STOP_GRACE_MS = 5_000;
/** The end of a process's output kept for failure messages. */
const OUTPUT_KEPT = 20_000;

export interface YtconvProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) once the process has ended. */
  readonly exited: Promise<number | null>;
  /** The last of what it wrote to stdout and stderr, to explain a failure. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not ended after a grace period. */
  stop(): Promise<void>;
}

/** `bin/ytconv <role>` with `env`; its output is kept, not shown, unless a test fails. */
export function spawnYtconv(role: 'web' | 'worker', env: NodeJS.ProcessEnv): YtconvProcess {
  const child = spawn(YTCONV, [role], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Service {
  /** The web process's address, `http://127.0.0.1:PORT`; also its and the workers' PUBLIC_URL. */
  readonly url: string;
  /** The environment of its processes. */
  readonly env: NodeJS.ProcessEnv;
  readonly web: YtconvProcess;
  readonly workers: YtconvProcess[];
  /** `fetch` relative to the web process. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** POST /api/jobs with a JSON body; throws unless the answer is 202. */
  create(request: object): Promise<JobView>;
  /** GET /api/jobs/{id}, or null for 404. */
  job(id: string): Promise<JobView | null>;
  /** Poll the API until the job reaches `status` (fails early when it ends otherwise). */
  waitFor(id: string, status: JobStatus, timeoutMs?: number): Promise<JobView>;
  /** Start one more worker process and wait until it takes jobs. */
  startWorker(): Promise<YtconvProcess>;
  /** Stop every process (the stack itself is the caller's to close). */
  stop(): Promise<void>;
}

/**
 * A web process and (unless `workers` is 0) a worker process for `stack`, ready: /healthz answers
 * and the worker takes jobs. `env` adds to the stack's environment.
 */
export async function startService(
  stack: Stack,
  { workers: count = 1, env: extraEnv = {} }: { workers?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Service> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The worker needs PUBLIC_URL too: it writes the links in emails.
  const env = { ...stack.env, ...extraEnv, HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: url };
  const web = spawnYtconv('web', env);
  const workers: YtconvProcess[] = [];
  const fetchPath = (path: string, init?: RequestInit) => fetch(new URL(path, url), init);
  const job = async (id: string): Promise<JobView | null> => {
    const res = await fetchPath(`/api/jobs/${encodeURIComponent(id)}`);
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`GET /api/jobs/${id} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as JobView;
  };
  const service: Service = {
    url,
    env,
    web,
    workers,
    fetch: fetchPath,
    async create(request) {
      const res = await fetchPath('/api/jobs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      if (res.status !== 202) throw new Error(`POST /api/jobs answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as JobView;
    },
    job,
    waitFor: (id, status, timeoutMs) => waitForStatus({ get: job }, id, status, timeoutMs),
    async startWorker() {
      const worker = spawnYtconv('worker', env);
      workers.push(worker);
      await until(worker, 'worker', () => worker.output().includes('waiting for jobs'));
      return worker;
    },
    async stop() {
      await Promise.all([web, ...workers].map((p) => p.stop()));
    },
  };
  try {
    await until(web, 'web', async () => (await fetchPath('/healthz').catch(() => null))?.ok === true);
    for (let i = 0; i < count; i++) await service.startWorker();
  } catch (err) {
    await service.stop();
    throw err;
  }
  return service;
}

/** Polls `ready` until it holds; fails with the process's output if it exits or takes too long. */
async function until(proc: YtconvProcess, role: string, ready: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let ended = false;
  void proc.exited.then(() => {
    ended = true;
  });
  while (!(await ready())) {
    if (ended || Date.now() > deadline) {
      const why = ended ? `exited with ${proc.child.exitCode ?? proc.child.signalCode}` : 'did not start in time';
      throw new Error(`ytconv ${role} ${why}:\n${proc.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
