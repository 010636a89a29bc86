/**
 * The API as curl sees it: HTTP to a real `ytconv web` process, conversions in a real `ytconv
 * worker` process, live events crossing from one to the other through Redis. The finer points of
 * each route are test/web's; this proves the deployed processes fit together.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JobView } from '../../src/jobs/types.ts';
import { audioOf, ffprobeBytes } from '../helpers/ffprobe.ts';
import { type Service, startService } from '../helpers/processes.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
let service: Service;

before(async () => {
  stack = await startStack();
  service = await startService(stack, { workers: 0 });
});
after(async () => {
  await service?.stop();
  await stack?.close();
});

describe('the web process alone', () => {
  it('serves its OpenAPI document', async () => {
    const res = await service.fetch('/api/openapi.json');
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    assert.match(doc.openapi, /^3\./);
    assert.ok(doc.paths['/api/jobs'], Object.keys(doc.paths).join(', '));
  });

  // No worker runs yet, so the job stays queued and nothing tries to reach the real YouTube.
  it('queues a YouTube link under its video id, and DELETE cancels it', async () => {
    const created = await service.create({ url: 'https://youtu.be/dQw4w9WgXcQ?si=share', format: 'opus' });
    assert.equal(created.status, 'queued');
    assert.deepEqual(created.source, {
      site: 'youtube',
      id: 'dQw4w9WgXcQ',
      url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ',
    });
    const res = await service.fetch(`/api/jobs/${created.id}`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as JobView).status, 'cancelled');
    assert.equal((await service.job(created.id))?.status, 'cancelled');
  });

  it('refuses a link it cannot read with 400 and a specific code', async () => {
    const res = await service.fetch('/api/jobs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'ftp://x' }),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_url');
  });
});

describe('with a worker process', () => {
  let done: JobView;
  let events: JobView[];

  before(async () => {
    await service.startWorker();
    const created = await service.create({ url: stack.site.watchUrl('basic'), format: 'mp3' });
    const res = await service.fetch(`/api/jobs/${created.id}/events`, { signal: AbortSignal.timeout(30_000) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    // The stream ends by itself after the final status.
    events = parseEvents(await res.text());
    done = (await service.job(created.id)) ?? assert.fail('the job is gone');
  });

  it('streams the worker’s progress as events, ending with done', () => {
    const last = events.at(-1);
    assert.equal(last?.status, 'done');
    assert.deepEqual(last, done);
    const progress = events.filter((e) => e.status === 'running' && typeof e.progress === 'number');
    assert.ok(progress.length >= 1, JSON.stringify(events.map((e) => [e.status, e.phase, e.progress])));
  });

  it('downloads the file as audio/mpeg, a valid MP3 of the video’s length', async () => {
    assert.equal(done.files.length, 1);
    const res = await service.fetch(done.files[0]?.url ?? '');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/mpeg');
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(bytes.length, done.files[0]?.size);
    const probed = await ffprobeBytes(bytes);
    assert.equal(audioOf(probed).codec_name, 'mp3');
    assert.ok(Math.abs(Number(probed.format.duration) - stack.site.video('basic').duration) < 0.15);
  });

  it('answers a byte range with 206 and exactly those bytes', async () => {
    const url = done.files[0]?.url ?? '';
    const whole = new Uint8Array(await (await service.fetch(url)).arrayBuffer());
    const res = await service.fetch(url, { headers: { range: 'bytes=100-1099' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 100-1099/${whole.length}`);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), whole.subarray(100, 1100));
  });
});

describe('progress as a page sees it', () => {
  before(() => service.startWorker());

  it('rises from start to 1, never going back, with an event at least every 1.5 s while it runs', async () => {
    const created = await service.create({ url: stack.site.watchUrl('slow'), format: 'mp3' });
    const res = await service.fetch(`/api/jobs/${created.id}/events`, { signal: AbortSignal.timeout(60_000) });
    const events = await timedEvents(res);
    const running = events.filter((e) => e.job.status === 'running');
    const progress = running.map((e) => e.job.progress ?? 0);
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
      `went back: ${progress.join(', ')}`,
    );
    assert.equal(events.at(-1)?.job.status, 'done');
    assert.equal(events.at(-1)?.job.progress, 1);
    const gaps = running.slice(1).map((e, i) => e.at - (running[i]?.at ?? e.at));
    assert.ok(Math.max(...gaps) <= 1500, `gaps between events: ${gaps.join(', ')} ms`);
    assert.ok(
      running.some((e) => e.job.eta !== null && e.job.phase === 'downloading'),
      'an ETA while downloading',
    );
  });
});

/** Each `job` event of a stream as it arrives, with its arrival time; resolves when the stream ends. */
async function timedEvents(res: Response): Promise<{ at: number; job: JobView }[]> {
  const events: { at: number; job: JobView }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body ?? []) {
    buffer += decoder.decode(chunk, { stream: true });
    const blocks = buffer.split('\n\n');
    buffer = blocks.pop() ?? '';
    const at = Date.now();
    for (const job of parseEvents(blocks.map((b) => `${b}\n\n`).join(''))) events.push({ at, job });
  }
  return events;
}

function parseEvents(body: string): JobView[] {
  return body
    .split('\n\n')
    .filter((block) => block.startsWith('event: job\n'))
    .map((block) => JSON.parse(block.slice('event: job\ndata: '.length)) as JobView);
}
