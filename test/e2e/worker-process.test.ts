/**
 * Real worker processes (`ytconv worker`), as deployed: a job survives its worker being killed,
 * and a worker stopped with SIGTERM hands its running job back instead of failing it.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { JobView } from '../../src/jobs/types.ts';
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
  it('finish a job whose worker was killed mid-conversion, its progress never going back', async () => {
    const first = startWorkerProcess();
    const job = await stack.jobs.create({ url: stack.site.watchUrl('slow'), format: 'mp3' });
    const seen: [JobView['phase'], number][] = [];
    const finished = stack.waitUntil(
      job.id,
      (view) => {
        if (view.status === 'running' && view.progress !== null) seen.push([view.phase, view.progress]);
        return view.status === 'done';
      },
      90_000,
    );
    await stack.waitUntil(job.id, (view) => (view.progress ?? 0) >= 0.3, 60_000);
    first.child.kill('SIGKILL');
    await first.exited;
    startWorkerProcess();
    const done = await finished;
    const values = seen.map(([, progress]) => progress);
    assert.deepEqual(
      values,
      values.toSorted((a, b) => a - b),
      `went back: ${JSON.stringify(seen)}`,
    );
    assert.ok(
      seen.some(([phase]) => phase === 'resuming'),
      `the retake was shown catching up: ${JSON.stringify(seen)}`,
    );
    assert.equal(done.files.length, 1);
    const [file] = await stack.files(job.id);
    assert.ok(Math.abs(Number((await ffprobe(file!.path)).format.duration) - stack.site.video('slow').duration) < 0.15);
    assert.equal(audioOf(await ffprobe(file!.path)).codec_name, 'mp3');
  });

  it('hand a running job back when stopped with SIGTERM, keeping the progress it had shown', async () => {
    const first = startWorkerProcess();
    const job = await stack.jobs.create({ url: stack.site.watchUrl('slow'), format: 'ogg' });
    const shown = await stack.waitUntil(job.id, (view) => (view.progress ?? 0) >= 0.1, 60_000);
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    const meanwhile = await stack.jobs.get(job.id);
    assert.notEqual(meanwhile?.status, 'failed');
    assert.ok((meanwhile?.progress ?? 0) >= (shown.progress ?? 1), `${meanwhile?.progress} < ${shown.progress}`);
    startWorkerProcess();
    // A new worker process under load (2 shared cores) takes its time to start and redo the work.
    await stack.waitFor(job.id, 'done', 120_000);
  });
});
