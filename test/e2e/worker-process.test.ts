/**
 * Real worker processes (`ytconv worker`), as deployed: a job survives its worker being killed,
 * and a worker stopped with SIGTERM hands its running job back instead of failing it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { audioOf, ffprobe } from '../helpers/ffprobe.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

const YTCONV = join(import.meta.dirname, '..', '..', 'bin', 'ytconv');

let stack: Stack;
const workers: ChildProcess[] = [];
before(async () => {
  // Short locks, so that a killed worker's job is noticed as stalled within seconds.
  stack = await startStack({ YTCONV_STALL_TIMEOUT: '3s' });
});
afterEach(async () => {
  const running = workers.splice(0).filter((w) => w.exitCode === null && w.signalCode === null);
  for (const w of running) w.kill('SIGKILL');
  await Promise.all(running.map(exited));
});
after(() => stack.close());

function startWorkerProcess(): ChildProcess {
  const child = spawn(YTCONV, ['worker'], { env: stack.env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  workers.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('worker processes', () => {
  it('finish a job whose worker was killed mid-conversion', async () => {
    const first = startWorkerProcess();
    const job = await stack.jobs.create({ url: stack.site.watchUrl('slow'), format: 'mp3' });
    await stack.waitFor(job.id, 'running');
    first.kill('SIGKILL');
    await exited(first);
    startWorkerProcess();
    const done = await stack.waitFor(job.id, 'done', 60_000);
    assert.equal(done.files.length, 1);
    const [file] = await stack.jobs.files(job.id);
    assert.ok(Math.abs(Number((await ffprobe(file!.path)).format.duration) - stack.site.video('slow').duration) < 0.15);
    assert.equal(audioOf(await ffprobe(file!.path)).codec_name, 'mp3');
  });

  it('hand a running job back when stopped with SIGTERM', async () => {
    const first = startWorkerProcess();
    const job = await stack.jobs.create({ url: stack.site.watchUrl('slow'), format: 'ogg' });
    await stack.waitFor(job.id, 'running');
    first.kill('SIGTERM');
    assert.equal(await exited(first), 0);
    const meanwhile = await stack.jobs.get(job.id);
    assert.notEqual(meanwhile?.status, 'failed');
    startWorkerProcess();
    await stack.waitFor(job.id, 'done', 60_000);
  });
});
