/**
 * Several links at once, a playlist's chosen entries, and the ZIP laid out as an album with its
 * M3U8: through the API, with the real service (database, Redis, an in-process worker) and the
 * stand-in video site.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { BatchResult, JobView } from '../../src/jobs/types.ts';
import { buildApp } from '../../src/web/app.ts';
import { audioOf, ffprobeBytes } from '../helpers/ffprobe.ts';
import { type Stack, startStack } from '../helpers/stack.ts';
import { zipEntryBytes, zipEntryNames } from '../helpers/zip.ts';

let stack: Stack;
let app: FastifyInstance;

before(async () => {
  stack = await startStack();
  await stack.startWorker();
  app = await buildApp({ jobs: stack.jobs, maxUploadBytes: 200_000, uploadDir: `${stack.services.storage.root}/in` });
});
after(async () => {
  await app.close();
  await stack.close();
});

const jobCount = () => stack.jobCount();

async function refusedWithoutJob(
  url: string,
  payload: object,
): Promise<{ code: string; message: string; field?: string }> {
  const before = await jobCount();
  const res = await app.inject({ method: 'POST', url, payload });
  assert.equal(res.statusCode, 400, res.body);
  assert.equal(await jobCount(), before, 'no job was made');
  return res.json().error;
}

describe('an entry selection (items)', () => {
  let chosen: JobView;

  before(async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/jobs',
      payload: { url: stack.site.playlistUrl('mix'), items: ' 3, 2-2 ' },
    });
    assert.equal(res.statusCode, 202, res.body);
    chosen = await stack.waitFor((res.json() as JobView).id, 'done', 60_000);
  });

  it('converts exactly the chosen entries, which keep their place in the playlist', () => {
    assert.equal(chosen.options.items, '3,2');
    assert.deepEqual(
      chosen.entries?.map((e) => [e.position, e.title, e.status]),
      [
        [2, 'Plain Tone Video', 'done'],
        [3, 'Second Tone', 'done'],
      ],
    );
    assert.deepEqual(
      chosen.files.map((f) => f.name),
      ['02 - Plain Tone Video.mp3', '03 - Second Tone.mp3'],
    );
  });

  it('zips them in the album’s folder with an M3U8 that lists them', async () => {
    const res = await app.inject({ url: `/api/jobs/${chosen.id}/zip` });
    assert.equal(res.statusCode, 200);
    const zip = res.rawPayload;
    assert.deepEqual(zipEntryNames(zip), [
      'Stand-in Mix/02 - Plain Tone Video.mp3',
      'Stand-in Mix/03 - Second Tone.mp3',
      'Stand-in Mix/Stand-in Mix.m3u8',
    ]);
    assert.equal(
      zipEntryBytes(zip, 'Stand-in Mix/Stand-in Mix.m3u8').toString('utf8'),
      '#EXTM3U\n#EXTINF:6,Stand-in Channel - Plain Tone Video\n02 - Plain Tone Video.mp3\n' +
        '#EXTINF:5,Stand-in Channel - Second Tone\n03 - Second Tone.mp3\n',
    );
    const audio = zipEntryBytes(zip, 'Stand-in Mix/03 - Second Tone.mp3');
    assert.equal(audioOf(await ffprobeBytes(audio)).codec_name, 'mp3');
  });

  it('refuses a selection it cannot read before any job exists, naming the field', async () => {
    const error = await refusedWithoutJob('/api/jobs', { url: stack.site.playlistUrl('mix'), items: '1-3;7' });
    assert.equal(error.code, 'invalid_option');
    assert.equal(error.field, 'items');
    assert.match(error.message, /"1-3;7" is not valid/);
  });

  it('fails the job, saying so, when the selection picks none of the entries', async () => {
    const payload = { url: stack.site.playlistUrl('mix'), items: '7-' };
    const res = await app.inject({ method: 'POST', url: '/api/jobs', payload });
    const failed = await stack.waitFor((res.json() as JobView).id, 'failed', 60_000);
    assert.equal(failed.error?.code, 'invalid_option');
    assert.match(failed.error?.message ?? '', /picks none of this playlist's 3 entries/);
    assert.deepEqual(failed.files, []);
  });
});

describe('several links at once', () => {
  let result: BatchResult;

  before(async () => {
    const text = [
      `Have a listen: ${stack.site.watchUrl('plain')}. And this one`,
      `  ${stack.site.watchUrl('second')}  `,
      'ftp://not-a-page',
      stack.site.watchUrl('plain'),
    ].join('\n');
    const res = await app.inject({ method: 'POST', url: '/api/jobs/batch', payload: { text, format: 'opus' } });
    assert.equal(res.statusCode, 202, res.body);
    result = res.json();
  });

  it('makes a job per link, each once, and refuses the bad one with its code', async () => {
    assert.deepEqual(
      result.jobs.map((job) => [job.source.url, job.options.format]),
      [
        [stack.site.watchUrl('plain'), 'opus'],
        [stack.site.watchUrl('second'), 'opus'],
      ],
    );
    assert.deepEqual(
      result.refused.map((r) => [r.url, r.error.code]),
      [['ftp://not-a-page', 'invalid_url']],
    );
    for (const job of result.jobs) await stack.waitFor(job.id, 'done', 60_000);
  });

  it('zips every job’s files in one archive', async () => {
    const ids = result.jobs.map((job) => job.id);
    const res = await app.inject({ url: `/api/jobs/zip?ids=${ids.join(',')},no-such-job` });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.deepEqual(zipEntryNames(res.rawPayload), ['Plain Tone Video.opus', 'Second Tone.opus']);
  });

  it('lists the jobs together by their ids', async () => {
    const ids = result.jobs.map((job) => job.id);
    const res = await app.inject({ url: `/api/jobs?ids=${ids.join(',')}` });
    assert.deepEqual(
      (res.json() as { jobs: JobView[] }).jobs.map((job) => [job.id, job.status]),
      ids.map((id) => [id, 'done']),
    );
  });

  it('refuses the whole submission for what its links share, before any job exists', async () => {
    const links = [stack.site.watchUrl('plain'), stack.site.watchUrl('second')];
    assert.equal((await refusedWithoutJob('/api/jobs/batch', { urls: links, format: 'mp5' })).code, 'invalid_option');
    assert.equal((await refusedWithoutJob('/api/jobs/batch', { urls: links, items: 'x' })).field, 'items');
    const many = Array.from({ length: 51 }, (_, i) => `${stack.site.watchUrl('plain')}&n=${i}`);
    assert.match((await refusedWithoutJob('/api/jobs/batch', { text: many.join('\n') })).message, /at most 50 links/);
    assert.equal((await refusedWithoutJob('/api/jobs/batch', { text: 'no links here' })).code, 'invalid_url');
  });

  it('answers with the first refusal when no link is accepted', async () => {
    const error = await refusedWithoutJob('/api/jobs/batch', { urls: ['ftp://a', 'not a link'] });
    assert.equal(error.code, 'invalid_url');
  });
});
