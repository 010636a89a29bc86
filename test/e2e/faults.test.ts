/**
 * Faults with real processes and a Redis of this file's own (it is flushed and stopped here):
 * workers SIGKILLed or frozen mid-conversion, Redis losing its data, Redis going away. What a
 * person would check: the job ends done, once, with one set of files; nothing is left running;
 * a refused request leaves no row.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config.ts';
import { ensureRedis, type LocalRedis } from '../../src/redis-local.ts';
import { type Service, spawnYtconv, startService, type YtconvProcess } from '../helpers/processes.ts';
import { freePort, type Stack, startStack } from '../helpers/stack.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const exec = promisify(execFile);

let dir: string;
let redis: LocalRedis;
let redisPort: number;
let stack: Stack;
const workers: YtconvProcess[] = [];

async function startRedis(): Promise<LocalRedis> {
  const server = loadConfig(process.env, ROOT).service.redisServer;
  return ensureRedis(`redis://127.0.0.1:${redisPort}`, join(dir, 'redis'), server);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ytconv-faults-'));
  redisPort = await freePort();
  redis = await startRedis();
  assert.ok(redis.private, 'a Redis of its own, since this file flushes and stops it');
  await mkdir(join(dir, 'work'));
  stack = await startStack({
    REDIS_URL: redis.url,
    // Short locks, so that a killed or frozen worker's conversion is noticed within seconds.
    YTCONV_STALL_TIMEOUT: '3s',
    YTCONV_RECONCILE_EVERY: '1s',
    YTCONV_WORKER_CONCURRENCY: '1',
    YTCONV_TMP_DIR: join(dir, 'work'),
    YTCONV_IDLE_TIMEOUT: '4s',
  });
});
afterEach(async () => {
  const running = workers.splice(0);
  for (const w of running) {
    w.child.kill('SIGCONT');
    w.child.kill('SIGKILL');
  }
  await Promise.all(running.map((w) => w.exited));
});
after(async () => {
  await stack?.close();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

function startWorker(): YtconvProcess {
  const worker = spawnYtconv('worker', stack.env);
  workers.push(worker);
  return worker;
}

/** Processes whose command line names this file's work directory: yt-dlp and ffmpeg of a conversion. */
async function children(): Promise<string[]> {
  const { stdout } = await exec('ps', ['-eo', 'pid=,args=']);
  return stdout.split('\n').filter((line) => line.includes(join(dir, 'work')));
}

/** Every file under `path`, recursively, relative to it. */
async function filesUnder(path: string): Promise<string[]> {
  const entries = await readdir(path, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(path.length + 1));
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a worker killed mid-conversion', () => {
  it('leaves no child running, and the conversion ends done once, by another worker', async () => {
    const first = startWorker();
    const job = await stack.jobs.create({ url: stack.site.watchUrl('slow'), format: 'mp3' });
    // Killed once its take has kept a cover: a folder of the killed take's in storage.
    await stack.waitUntil(job.id, (view) => view.cover !== null);
    await until(async () => (await children()).length > 0, 'the conversion runs');
    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = Date.now();
    await until(async () => (await children()).length === 0, 'the killed worker’s children are gone', 5_000);
    const goneAfter = Date.now() - killedAt;

    startWorker();
    const done = await stack.waitFor(job.id, 'done', 60_000);
    assert.equal(done.files.length, 1);
    const files = (await filesUnder(await stack.storageDir(job.id))).sort();
    assert.deepEqual(
      files.map((f) => basename(f)),
      ['Slow Delivery.mp3', 'cover.jpg'],
      `one set of files, with its cover: ${files.join(', ')}`,
    );
    assert.deepEqual(await readdir(join(dir, 'work')), [], 'no work directory left');
    assert.ok(goneAfter < 5_000, `children gone ${goneAfter} ms after the kill`);
  });
});

describe('a worker frozen past the stall timeout', () => {
  it('is fenced off when it wakes up: one result, the other worker’s', async () => {
    const frozen = startWorker();
    const job = await stack.jobs.create({ url: stack.site.watchUrl('slow'), format: 'ogg' });
    await stack.waitFor(job.id, 'running');
    frozen.child.kill('SIGSTOP');
    const other = startWorker();
    await until(() => other.output().includes('"msg":"taken"'), 'another worker retakes it', 30_000);
    frozen.child.kill('SIGCONT');
    const done = await stack.waitFor(job.id, 'done', 60_000);
    await until(() => /"outcome":"(superseded|cancelled)"/.test(frozen.output()), 'the frozen worker gives up');
    assert.equal(done.files.length, 1);
    // One take's folder: its file and its cover; the frozen take's went when it gave up.
    const files = (await filesUnder(await stack.storageDir(job.id))).sort();
    assert.deepEqual(
      files.map((f) => basename(f)),
      ['Slow Delivery.ogg', 'cover.jpg'],
      files.join(', '),
    );
    assert.equal(new Set(files.map((f) => dirname(f))).size, 1, files.join(', '));
    const [file] = await stack.files(job.id);
    assert.ok(file && files[0] && file.path.endsWith(files[0]), 'the row names the file that is there');
  });
});

describe('a source that stalls mid-file', () => {
  it('fails the job as network within the inactivity timeout, leaving nothing running', async () => {
    startWorker();
    const job = await stack.jobs.create({ url: stack.site.watchUrl('stall'), format: 'mp3' });
    await stack.waitFor(job.id, 'running');
    const stalledAt = () =>
      stack.site.requests.find((r) => r.path.startsWith(`/media/${stack.site.video('stall').id}/`));
    await until(() => stalledAt() !== undefined, 'the media is requested');
    const failed = await stack.waitFor(job.id, 'failed', 30_000);
    const after = Date.now() - (stalledAt()?.at ?? 0);
    assert.equal(failed.error?.code, 'network');
    assert.match(failed.error?.message ?? '', /stopped sending data/);
    assert.ok(after < 10_000, `failed ${after} ms after the media request (idle timeout 4 s)`);
    await until(async () => (await children()).length === 0, 'no child left', 5_000);
  });
});

describe('Redis losing its data', () => {
  it('brings back every conversion through the reconciler, queued and running alike', async () => {
    startWorker();
    const names = ['plain', 'second', 'music', 'basic'];
    const jobs = await Promise.all(names.map((name) => stack.jobs.create({ url: stack.site.watchUrl(name) })));
    await until(
      async () => (await Promise.all(jobs.map((j) => stack.jobs.get(j.id)))).some((j) => j?.status === 'running'),
      'one runs',
    );
    const client = new Redis(redis.url);
    const flushedAt = Date.now();
    await client.flushall();
    client.disconnect();
    const done = await Promise.all(jobs.map((j) => stack.waitFor(j.id, 'done', 60_000)));
    assert.deepEqual(
      done.map((j) => j.files.length),
      [1, 1, 1, 1],
    );
    const seconds = (Date.now() - flushedAt) / 1000;
    assert.ok(seconds < 60, `all done ${seconds} s after the flush`);
  });
});

describe('Redis going away', () => {
  let service: Service;
  before(async () => {
    service = await startService(stack, { workers: 0 });
  });
  after(() => service?.stop());

  const rows = async () => {
    const { db } = stack.services;
    const count = (table: 'jobs' | 'conversions') =>
      db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
    const [jobs, work] = await Promise.all([count('jobs'), count('conversions')]);
    return Number(jobs.n) + Number(work.n);
  };
  const post = (format = 'flac') =>
    service.fetch('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: stack.site.watchUrl('second'), format }),
    });

  it('answers 503 queue_unavailable, after its command timeouts, when Redis accepts but never answers', async () => {
    const before = await rows();
    const client = new Redis(redis.url);
    await client.call('CLIENT', 'PAUSE', '20000', 'ALL');
    const started = Date.now();
    const res = await post('wav');
    const took = Date.now() - started;
    await client.call('CLIENT', 'UNPAUSE');
    client.disconnect();
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'queue_unavailable');
    assert.ok(took < 10_000, `answered in ${took} ms`);
    assert.equal(await rows(), before, 'no row kept');
  });

  it('answers 503 queue_unavailable within a second and keeps no row, then recovers', async () => {
    const health = async () => {
      const res = await service.fetch('/api/health');
      return { status: res.status, body: await res.json() };
    };
    assert.deepEqual(await health(), {
      status: 200,
      body: { status: 'ok', checks: { web: 'ok', redis: 'ok', database: 'ok' } },
    });
    const before = await rows();
    await redis.stop();
    assert.deepEqual(await health(), {
      status: 503,
      body: { status: 'down', checks: { web: 'ok', redis: 'down', database: 'ok' } },
    });
    const started = Date.now();
    const res = await post();
    const took = Date.now() - started;
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'queue_unavailable');
    assert.ok(took < 1000, `answered in ${took} ms`);
    assert.equal(await rows(), before, 'no row kept');

    redis = await startRedis();
    await until(async () => (await post()).status === 202, 'the API takes jobs again', 10_000);
    assert.equal((await health()).status, 200);
  });
});
