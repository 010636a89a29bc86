/**
 * Real worker processes (`ytconv worker`), as deployed: a job survives its worker being killed,
 * and a worker stopped with SIGTERM hands its running job back instead of failing it.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { audioOf, ffprobe } from '../helpers/ffprobe.ts';
import { spawnYtconv, type YtconvProcess } from '../helpers/processes.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
const workers: YtconvProcess[] = [];
before(async () => {
  // Short locks, so that a killed worker's job is noticed as stalled within seconds.
  stack = await startStack({ YTCONV_STALL_TIMEOUT: '3s' });
});
afterEach(async () => {
  const running = workers.splice(0);
  for (const w of running) w.child.kill('SIGKILL');
  await Promise.all(running.map((w) => w.exited));
});
after(() => stack.close());

function startWorkerProcess(): YtconvProcess {
  const worker = spawnYtconv('worker', stack.env);
  workers.push(worker);
  return worker;
}

describe('worker processes', () => {
  it('finish a job whose worker was killed mid-conversion', async () => {
    const first = startWorkerProcess();
    const job = await stack.jobs.create({ url: stack.site.watchUrl('slow'), format: 'mp3' });
    await stack.waitFor(job.id, 'running');
    first.child.kill('SIGKILL');
    await first.exited;
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
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    const meanwhile = await stack.jobs.get(job.id);
    assert.notEqual(meanwhile?.status, 'failed');
    startWorkerProcess();
    await stack.waitFor(job.id, 'done', 60_000);
  });
});
