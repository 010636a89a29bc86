/**
 * The API through the real service: database, Redis, an in-process worker and the stand-in video
 * site. Requests go through `app.inject()`, except the event stream, which needs a real socket.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { conversionOf } from '../../src/db/jobs.ts';
import { createAdminApi } from '../../src/jobs/admin.ts';
import type { JobView } from '../../src/jobs/types.ts';
import { buildApp } from '../../src/web/app.ts';
import { tempDir } from '../helpers/engine.ts';
import { attachedPicture, audioOf, ffprobe, ffprobeBytes } from '../helpers/ffprobe.ts';
import { adminYtdlp, type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
let app: FastifyInstance;
let uploadDir: string;

before(async () => {
  stack = await startStack();
  await stack.startWorker();
  // Beside the storage root, as in production: the service renames uploads into storage.
  uploadDir = join(stack.services.storage.root, 'incoming');
  app = await buildApp({ jobs: stack.jobs, maxUploadBytes: 200_000, uploadDir });
});
after(async () => {
  await app.close();
  await stack.close();
});

async function post(body: object): Promise<JobView> {
  const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: body });
  assert.equal(res.statusCode, 202, res.body);
  return res.json();
}

/** What `read` gives once it gives something (polled: the worker's writes have no event here). */
async function eventually<T>(read: () => Promise<T | null>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let value = await read(); ; value = await read()) {
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const jobCount = () => stack.jobCount();

describe('a job through the API', () => {
  let done: JobView;
  let path: string;
  let bytes: Buffer;

  before(async () => {
    const created = await post({ url: stack.site.watchUrl('plain'), format: 'mp3', quality: '128k' });
    assert.equal(created.status, 'queued');
    assert.equal(created.source.url, stack.site.watchUrl('plain'));
    await stack.waitFor(created.id, 'done');
    const res = await app.inject({ url: `/api/jobs/${created.id}` });
    assert.equal(res.statusCode, 200);
    done = res.json();
    const [file] = await stack.files(done.id);
    path = file!.path;
    bytes = await readFile(path);
  });

  it('shows the files with their download URLs', () => {
    assert.equal(done.status, 'done');
    assert.equal(done.title, 'Plain Tone Video');
    assert.equal(done.files.length, 1);
    const file = done.files[0]!;
    assert.equal(file.name, 'Plain Tone Video.mp3');
    assert.equal(file.url, `/api/jobs/${done.id}/files/Plain%20Tone%20Video.mp3`);
    assert.equal(file.size, bytes.length);
  });

  it('downloads the whole file with type, length and disposition', async () => {
    const res = await app.inject({ url: done.files[0]!.url });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'audio/mpeg');
    assert.equal(res.headers['content-length'], String(bytes.length));
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.equal(res.headers['content-disposition'], 'attachment; filename="Plain Tone Video.mp3"');
    assert.ok(res.rawPayload.equals(bytes));
  });

  it('answers a byte range with 206 and exactly those bytes', async () => {
    const res = await app.inject({ url: done.files[0]!.url, headers: { range: 'bytes=100-1099' } });
    assert.equal(res.statusCode, 206);
    assert.equal(res.headers['content-range'], `bytes 100-1099/${bytes.length}`);
    assert.equal(res.headers['content-length'], '1000');
    assert.ok(res.rawPayload.equals(bytes.subarray(100, 1100)));
    const tail = await app.inject({ url: done.files[0]!.url, headers: { range: 'bytes=-10' } });
    assert.ok(tail.rawPayload.equals(bytes.subarray(-10)));
  });

  it('answers 416 for a range past the end, and ignores a range for a changed file (If-Range)', async () => {
    const beyond = await app.inject({ url: done.files[0]!.url, headers: { range: `bytes=${bytes.length}-` } });
    assert.equal(beyond.statusCode, 416);
    assert.equal(beyond.headers['content-range'], `bytes */${bytes.length}`);
    const stale = await app.inject({ url: done.files[0]!.url, headers: { range: 'bytes=0-9', 'if-range': '"old"' } });
    assert.equal(stale.statusCode, 200);
    assert.equal(stale.rawPayload.length, bytes.length);
  });

  it('answers HEAD with the headers only, and 304 for a known ETag', async () => {
    const head = await app.inject({ method: 'HEAD', url: done.files[0]!.url });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], String(bytes.length));
    assert.equal(head.rawPayload.length, 0);
    const again = await app.inject({
      url: done.files[0]!.url,
      headers: { 'if-none-match': String(head.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
  });

  it('finds files only by their listed name', async () => {
    for (const name of ['nothing.mp3', '..%2F..%2Fetc%2Fpasswd', '%2E%2E']) {
      const res = await app.inject({ url: `/api/jobs/${done.id}/files/${name}` });
      assert.equal(res.statusCode, 404, name);
      assert.equal(res.json().error.code, 'not_found');
    }
  });

  it('serves the square cover that is in the file’s tags, from the app, cacheable for good', async () => {
    assert.match(done.cover ?? '', new RegExp(`^/api/jobs/${done.id}/cover/[\\w-]+$`));
    const res = await app.inject({ url: done.cover! });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'image/jpeg');
    assert.equal(res.headers['cache-control'], 'private, max-age=31536000, immutable');
    const image = (await ffprobeBytes(res.rawPayload)).streams[0];
    // The stand-in site's thumbnails are 1280×720: centre-cropped, 720×720.
    assert.deepEqual([image?.codec_name, image?.width, image?.height], ['mjpeg', 720, 720]);
    assert.ok(res.rawPayload.equals(await attachedPicture(path)), 'the same image as in the MP3');
    const again = await app.inject({ url: done.cover!, headers: { 'if-none-match': String(res.headers.etag) } });
    assert.equal(again.statusCode, 304);
    const other = await app.inject({ url: `/api/jobs/${done.id}/cover/another` });
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().error.code, 'not_found');
  });

  it('zips all files, stored, named after the title', async () => {
    const res = await app.inject({ url: `/api/jobs/${done.id}/zip` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.equal(res.headers['content-disposition'], 'attachment; filename="Plain Tone Video.zip"');
    assert.equal(res.headers['content-length'], String(res.rawPayload.length));
    assert.equal(res.rawPayload.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004');
    assert.ok(res.rawPayload.includes(bytes), 'the file is stored uncompressed');
    assert.ok(res.rawPayload.includes(Buffer.from('Plain Tone Video.mp3')));
  });

  it('streams the events of a finished job as one event and ends', async () => {
    const res = await app.inject({ url: `/api/jobs/${done.id}/events` });
    assert.equal(res.statusCode, 200);
    const events = parseEvents(res.body);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.status, 'done');
  });
});

describe('refusals and lookups', () => {
  it('answers 404 not_found for an unknown job on every route', async () => {
    for (const [method, url] of [
      ['GET', '/api/jobs/no-such-job'],
      ['DELETE', '/api/jobs/no-such-job'],
      ['GET', '/api/jobs/no-such-job/events'],
      ['GET', '/api/jobs/no-such-job/zip'],
      ['GET', '/api/jobs/no-such-job/files/a.mp3'],
    ] as const) {
      const res = await app.inject({ method, url });
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(res.json().error.code, 'not_found');
    }
  });

  it('refuses an ftp:// link with 400 invalid_url and creates no job', async () => {
    const before = await jobCount();
    const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: { url: 'ftp://x' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_url');
    assert.equal(await jobCount(), before);
  });

  it('names the field at fault in a refusal: a time, a quality, a wrong type', async () => {
    const before = await jobCount();
    const url = stack.site.watchUrl('plain');
    for (const [body, field] of [
      [{ url, start: '99:99' }, 'start'],
      [{ url, start: 8, end: 4 }, 'end'],
      [{ url, format: 'wav', quality: '192k' }, 'quality'],
      [{ url, normalize: 'yes' }, 'normalize'],
      [{ url, sponsorblock: 'skip' }, 'sponsorblock'],
      [{ url, sponsorblock: 'remove', sponsorblock_categories: ['sponsor', 'ads'] }, 'sponsorblock_categories'],
      [{ url, sponsorblock: 'remove', sponsorblock_categories: 'sponsor,--exec=rm' }, 'sponsorblock_categories'],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: body });
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.deepEqual([res.json().error.code, res.json().error.field], ['invalid_option', field]);
    }
    assert.equal(await jobCount(), before);
  });

  it('cancels a running job with DELETE', async () => {
    const created = await post({ url: stack.site.watchUrl('slow'), format: 'opus' });
    await stack.waitFor(created.id, 'running');
    const res = await app.inject({ method: 'DELETE', url: `/api/jobs/${created.id}` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().status, 'cancelled');
    await stack.waitFor(created.id, 'cancelled');
    const zip = await app.inject({ url: `/api/jobs/${created.id}/zip` });
    assert.equal(zip.statusCode, 404);
  });
});

describe('SponsorBlock through the API', () => {
  it('stores the choice, echoes it, and shows each file what was removed', async () => {
    const url = stack.site.watchUrl('sponsored');
    const created = await post({ url, format: 'flac', sponsorblock: 'remove', sponsorblock_categories: 'sponsor' });
    assert.deepEqual([created.options.sponsorblock, created.options.sponsorblock_categories], ['remove', ['sponsor']]);
    await stack.waitFor(created.id, 'done');
    const done: JobView = (await app.inject({ url: `/api/jobs/${created.id}` })).json();
    const [file] = done.files;
    assert.deepEqual(file?.sponsorblock, {
      action: 'remove',
      segments: [{ start: 3.25, end: 5.5, category: 'sponsor' }],
    });
    const [made] = await stack.files(done.id);
    assert.equal(Number((await ffprobe(made!.path)).format.duration), 12 - 2.25);
  });
});

describe('several jobs at once (GET /api/jobs?ids=)', () => {
  const list = (ids: string) => app.inject({ url: `/api/jobs?ids=${ids}` });
  const view = async (id: string): Promise<JobView> => (await app.inject({ url: `/api/jobs/${id}` })).json();

  it('answers each job once, as GET /api/jobs/{id} shows it, in the order asked, leaving unknown ids out', async () => {
    const done = await post({ url: stack.site.watchUrl('plain'), format: 'm4a' });
    await stack.waitFor(done.id, 'done');
    const cancelled = await post({ url: stack.site.watchUrl('slow'), format: 'flac' });
    await app.inject({ method: 'DELETE', url: `/api/jobs/${cancelled.id}` });
    const res = await list(`${cancelled.id},no-such-job,${done.id},${cancelled.id}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { jobs: [await view(cancelled.id), await view(done.id)] });
    assert.equal(res.json().jobs[1].files.length, 1);
  });

  it('refuses more than 50 ids with 400 invalid_option', async () => {
    const ids = Array.from({ length: 51 }, (_, i) => `job${i}`).join(',');
    const res = await list(ids);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_option');
    assert.match(res.json().error.message, /at most 50 jobs/);
  });

  it('lists nothing without ids', async () => {
    const res = await app.inject({ url: '/api/jobs' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_option');
    assert.deepEqual((await list('')).json(), { jobs: [] });
  });
});

describe('covers', () => {
  it('shows the cover while the job still runs, and none once it is cancelled', async () => {
    const created = await post({ url: stack.site.watchUrl('slow'), format: 'm4a' });
    const running = await eventually(async () => {
      const view = await stack.jobs.get(created.id);
      return view?.cover ? { status: view.status, cover: view.cover } : null;
    });
    const { cover } = running;
    assert.equal(running.status, 'running');
    assert.equal((await app.inject({ url: cover })).statusCode, 200);
    const cancelled = await app.inject({ method: 'DELETE', url: `/api/jobs/${created.id}` });
    assert.equal(cancelled.json().cover, null);
    assert.equal((await app.inject({ url: cover })).statusCode, 404);
    // It kept no file, so the worker keeps no cover either once it stopped.
    const conversionId = (await conversionOf(stack.services.db, created.id)) ?? assert.fail('no conversion');
    await eventually(async () =>
      (await stack.services.queues.convert.getJob(conversionId))?.returnvalue === 'cancelled' ? true : null,
    );
    assert.equal(
      (
        await stack.services.db
          .selectFrom('conversions')
          .select('cover')
          .where('id', '=', conversionId)
          .executeTakeFirstOrThrow()
      ).cover,
      null,
    );
    assert.equal(existsSync(await stack.storageDir(created.id)), false, 'nothing stored');
  });

  it('keeps serving the finished entry’s file and the cover of a playlist cancelled midway', async () => {
    const created = await post({ url: stack.site.playlistUrl('withslow'), format: 'mp3' });
    const running = await stack.waitUntil(
      created.id,
      (job) => job.entries?.[1]?.status === 'running' && job.cover !== null,
      60_000,
    );
    const cancelled = (await app.inject({ method: 'DELETE', url: `/api/jobs/${created.id}` })).json() as JobView;
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.cover, running.cover);
    // What the worker recorded must outlive its stopping.
    const conversionId = (await conversionOf(stack.services.db, created.id)) ?? assert.fail('no conversion');
    await eventually(async () =>
      (await stack.services.queues.convert.getJob(conversionId))?.returnvalue === 'cancelled' ? true : null,
    );
    const after = (await stack.jobs.get(created.id)) ?? assert.fail('the job is gone');
    assert.deepEqual(
      after.files.map((f) => f.name),
      ['01 - Plain Tone Video.mp3'],
    );
    assert.equal(after.cover, running.cover);
    const file = await app.inject({ url: after.files[0]!.url });
    assert.equal(file.statusCode, 200);
    assert.equal(audioOf(await ffprobeBytes(file.rawPayload)).codec_name, 'mp3');
    const cover = await app.inject({ url: running.cover! });
    assert.equal(cover.statusCode, 200);
    assert.equal(cover.headers['content-type'], 'image/jpeg');
    assert.ok(cover.rawPayload.length > 0);
  });

  it('says of a split by chapters of a video without chapters that its one file is the whole', async () => {
    const created = await post({ url: stack.site.watchUrl('second'), format: 'opus', split_chapters: true });
    await stack.waitFor(created.id, 'done');
    const view = (await app.inject({ url: `/api/jobs/${created.id}` })).json() as JobView;
    assert.deepEqual(
      view.files.map((f) => [f.name, f.unsplit]),
      [['Second Tone.opus', true]],
    );
  });

  it('removes the cover with the job’s files when the job is deleted', async () => {
    const created = await post({ url: stack.site.watchUrl('plain'), format: 'flac' });
    const done = await stack.waitFor(created.id, 'done');
    const stored = (await stack.jobs.downloads(done.id))?.cover ?? assert.fail('no cover');
    assert.ok(existsSync(stored.path));
    await createAdminApi({ ...stack.services, jobs: stack.jobs, ytdlp: adminYtdlp(stack) }).remove(done.id);
    assert.equal((await app.inject({ url: done.cover! })).statusCode, 404);
    assert.equal(existsSync(stored.path), false);
  });
});

describe('titles beyond ASCII', () => {
  it('downloads with an RFC 6266 filename* that names the file exactly', async () => {
    await stack.site.addVideo({ name: 'unicode', seconds: 3, title: 'Café – 東京 🎵' });
    const created = await post({ url: stack.site.watchUrl('unicode'), format: 'opus' });
    const done = await stack.waitFor(created.id, 'done');
    const file = done.files[0]!;
    assert.match(file.name, /^Café – 東京 🎵\.opus$/);
    const res = await app.inject({ url: file.url });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'audio/ogg; codecs=opus');
    const disposition = String(res.headers['content-disposition']);
    assert.match(disposition, /^attachment; filename="Cafe _ __ _\.opus"; filename\*=UTF-8''/);
    assert.equal(decodeURIComponent(disposition.split("UTF-8''")[1]!), file.name);
    const zip = await app.inject({ url: `/api/jobs/${done.id}/zip` });
    assert.equal(
      decodeURIComponent(String(zip.headers['content-disposition']).split("UTF-8''")[1]!),
      'Café – 東京 🎵.zip',
    );
  });
});

describe('uploads', () => {
  let media: Buffer;

  before(async () => {
    const dir = await tempDir();
    const path = join(dir, 'talk.m4a');
    await promisify(execFile)('ffmpeg', [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'sine=frequency=500:duration=2'],
      ...['-c:a', 'aac', '-b:a', '64k', path],
    ]);
    media = await readFile(path);
  });

  it('converts an uploaded file and keeps no temp file', async () => {
    const form = new FormData();
    form.set('format', 'mp3');
    form.set('normalize', 'on');
    form.set('start', '');
    form.set('file', new Blob([media]), 'C:\\Users\\me\\My Talk.m4a');
    const res = await app.inject({ method: 'POST', url: '/api/jobs', ...(await multipart(form)) });
    assert.equal(res.statusCode, 202, res.body);
    const created: JobView = res.json();
    assert.equal(created.source.site, 'upload');
    assert.equal(created.options.normalize, true);
    const done = await stack.waitFor(created.id, 'done');
    assert.equal(done.files.length, 1);
    const [file] = await stack.files(done.id);
    assert.equal(audioOf(await ffprobe(file!.path)).codec_name, 'mp3');
    assert.deepEqual(await readdir(uploadDir), []);
  });

  it('refuses an upload over the limit with 413, keeping no partial file and creating no job', async () => {
    const small = await buildApp({ jobs: stack.jobs, maxUploadBytes: 4096, uploadDir });
    const before = await jobCount();
    const form = new FormData();
    form.set('file', new Blob([media]), 'talk.m4a');
    const res = await small.inject({ method: 'POST', url: '/api/jobs', ...(await multipart(form)) });
    await small.close();
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'file_too_large');
    assert.deepEqual(await readdir(uploadDir), []);
    assert.equal(await jobCount(), before);
  });
});

describe('the event stream', () => {
  it('sends the job at once, its progress (never backwards), and the final state, then ends', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const created = await post({ url: stack.site.watchUrl('plain'), format: 'flac' });
    const res = await fetch(`${address}/api/jobs/${created.id}/events`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-accel-buffering'), 'no');
    const events = parseEvents(await res.text());
    assert.ok(['queued', 'running'].includes(events[0]!.status));
    assert.equal(events.at(-1)!.status, 'done');
    assert.equal(events.at(-1)!.files.length, 1);
    assert.ok(events.length >= 3, `${events.length} events`);
    // An unchanged view is sent again after half a second (job-events.ts), so repeats are fine;
    // the job's progress only ever moves forward.
    const progress = events.map((e) => e.progress ?? 0);
    assert.deepEqual(
      progress,
      [...progress].sort((a, b) => a - b),
      `progress: ${progress.join(', ')}`,
    );
  });
});

describe('shutting down', () => {
  it('ends open event streams so that close() does not wait for their jobs', async () => {
    const own = await buildApp({ jobs: stack.jobs, maxUploadBytes: 1000, uploadDir });
    const address = await own.listen({ port: 0, host: '127.0.0.1' });
    const created = await post({ url: stack.site.watchUrl('slow'), format: 'm4a' });
    const res = await fetch(`${address}/api/jobs/${created.id}/events`);
    const reader = res.body!.getReader();
    assert.match(new TextDecoder().decode((await reader.read()).value), /^event: job\n/);
    const started = Date.now();
    await own.close();
    assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
    while (!(await reader.read()).done) {}
    await stack.jobs.cancel(created.id);
  });
});

function parseEvents(body: string): JobView[] {
  return body
    .split('\n\n')
    .filter((block) => block.startsWith('event: job\n'))
    .map((block) => JSON.parse(block.slice('event: job\ndata: '.length)) as JobView);
}

async function multipart(form: FormData): Promise<{ payload: Buffer; headers: Record<string, string> }> {
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  const payload = Buffer.from(await request.arrayBuffer());
  return { payload, headers: { 'content-type': request.headers.get('content-type') ?? '' } };
}
