/** The jobs service through its real parts: database, Redis, an in-process worker, the stand-in site. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { getConversion } from '../../src/db/conversions.ts';
import { conversionOf } from '../../src/db/jobs.ts';
import { audioOf, ffprobe } from '../helpers/ffprobe.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
before(async () => {
  stack = await startStack();
  await stack.startWorker();
});
after(() => stack.close());

describe('a conversion job', () => {
  it('goes from queued to done with its files, title and expiry', async () => {
    const created = await stack.jobs.create({
      url: stack.site.watchUrl('plain'),
      format: 'mp3',
      email: 'me@example.org',
    });
    assert.equal(created.status, 'queued');
    assert.equal(created.source.url, stack.site.watchUrl('plain'));
    const done = await stack.waitFor(created.id, 'done');
    assert.equal(done.title, 'Plain Tone Video');
    assert.equal(done.files.length, 1);
    assert.equal(done.files[0]?.name, 'Plain Tone Video.mp3');
    assert.equal(done.progress, 1);
    assert.ok(done.expires_at && Date.parse(done.expires_at) > Date.now());
    const [file] = await stack.files(created.id);
    assert.equal(audioOf(await ffprobe(file!.path)).codec_name, 'mp3');
    assert.equal((await stat(file!.path)).size, file!.size);
    await until(() => stack.mails.some((m) => m.to === 'me@example.org'));
    const mail = stack.mails.find((m) => m.to === 'me@example.org');
    assert.match(mail!.subject, /ready: Plain Tone Video/);
    assert.ok(mail!.text.includes(`/jobs/${created.id}`));
  });

  it('answers the same request from the finished files at once, as a job of its own', async () => {
    const first = await stack.jobs.create({ url: stack.site.watchUrl('second'), format: 'opus' });
    await stack.waitFor(first.id, 'done');
    const again = await stack.jobs.create({ url: stack.site.watchUrl('second'), format: 'opus', email: 'late@x.org' });
    assert.notEqual(again.id, first.id);
    assert.equal(again.status, 'done');
    assert.deepEqual(
      (await stack.files(again.id)).map((f) => f.path),
      (await stack.files(first.id)).map((f) => f.path),
      'the same files, not a second conversion',
    );
    await until(() => stack.mails.some((m) => m.to === 'late@x.org' && m.text.includes(`/jobs/${again.id}`)));
  });

  it('gives identical requests arriving together a job each, over one conversion', async () => {
    const url = stack.site.watchUrl('music');
    const [a, b] = await Promise.all([
      stack.jobs.create({ url, email: 'a@example.org' }),
      stack.jobs.create({ url, email: 'b@example.org' }),
    ]);
    assert.notEqual(a.id, b.id);
    assert.equal(await stack.storageDir(a.id), await stack.storageDir(b.id));
    const [doneA, doneB] = await Promise.all([stack.waitFor(a.id, 'done'), stack.waitFor(b.id, 'done')]);
    assert.deepEqual(
      doneA.files.map((f) => [f.name, f.size]),
      doneB.files.map((f) => [f.name, f.size]),
    );
    assert.notEqual(doneA.files[0]?.url, doneB.files[0]?.url, 'each download link names its own job');
    for (const [who, job] of [
      ['a@example.org', a],
      ['b@example.org', b],
    ] as const) {
      await until(() => stack.mails.some((m) => m.to === who));
      assert.ok(stack.mails.find((m) => m.to === who)?.text.includes(`/jobs/${job.id}`), `${who} gets their own link`);
    }
  });

  it('lets one of two requesters cancel without stopping the other’s conversion', async () => {
    const url = stack.site.watchUrl('slow');
    const a = await stack.jobs.create({ url, format: 'ogg' });
    await stack.waitFor(a.id, 'running');
    const b = await stack.jobs.create({ url, format: 'ogg' });
    assert.equal(b.status, 'running', 'the second request joins the conversion in progress');
    assert.equal((await stack.jobs.cancel(a.id))?.status, 'cancelled');
    const done = await stack.waitFor(b.id, 'done', 60_000);
    assert.equal(done.files.length, 1);
    const cancelled = await stack.jobs.get(a.id);
    assert.equal(cancelled?.status, 'cancelled');
    assert.deepEqual(cancelled?.files, []);
    assert.deepEqual(await stack.files(a.id), []);
  });

  it('finishes a trimmed conversion of a link far larger than a pipe buffer', async () => {
    const created = await stack.jobs.create({ url: stack.site.watchUrl('lengthy'), start: 0, end: 2, format: 'mp3' });
    const done = await stack.waitFor(created.id, 'done');
    const [file] = await stack.files(created.id);
    assert.ok(Math.abs(Number((await ffprobe(file!.path)).format.duration) - 2) < 0.1);
    assert.equal(done.files.length, 1);
  });

  it('records a failure with its code and message', async () => {
    const created = await stack.jobs.create({ url: stack.site.watchUrl('private') });
    const failed = await stack.waitFor(created.id, 'failed');
    assert.equal(failed.error?.code, 'unavailable');
    assert.equal(failed.files.length, 0);
  });

  it('refuses bad input before creating a job', async () => {
    await assert.rejects(stack.jobs.create({ url: 'ftp://example.org/x' }), { code: 'invalid_url' });
    await assert.rejects(stack.jobs.create({ url: stack.site.watchUrl('plain'), quality: '5000k' }), {
      code: 'invalid_option',
    });
  });

  it('cancels a running job and stops its conversion', async () => {
    const created = await stack.jobs.create({ url: stack.site.watchUrl('slow') });
    await stack.waitFor(created.id, 'running');
    const conversionId = (await conversionOf(stack.services.db, created.id))!;
    const cancelled = await stack.jobs.cancel(created.id);
    assert.equal(cancelled?.status, 'cancelled');
    // The worker notices at its next progress write and ends the message as cancelled.
    const { convert } = stack.services.queues;
    await until(async () => (await convert.getJob(conversionId))?.returnvalue === 'cancelled');
    assert.deepEqual(await stack.files(created.id), []);
    await assert.rejects(stat(await stack.storageDir(created.id)), { code: 'ENOENT' }, 'no file kept');
  });
});

describe('a playlist job', () => {
  it('stores each entry with its title and outcome, the private one failed with its reason', async () => {
    const created = await stack.jobs.create({ url: stack.site.playlistUrl('withbad') });
    const running = await stack.waitUntil(created.id, (job) => job.entries !== undefined, 60_000);
    assert.deepEqual(
      running.entries?.map((e) => e.title),
      ['Plain Tone Video', '[Private video]', 'Second Tone'],
      'titled before any entry is done',
    );
    const done = await stack.waitFor(created.id, 'done', 60_000);
    assert.equal(done.title, 'Stand-in Mix With A Private Video');
    assert.deepEqual(
      done.entries?.map((e) => [e.title, e.status, e.error?.code ?? null, e.files.map((f) => f.name)]),
      [
        ['Plain Tone Video', 'done', null, ['01 - Plain Tone Video.mp3']],
        ['[Private video]', 'failed', 'unavailable', []],
        ['Second Tone', 'done', null, ['03 - Second Tone.mp3']],
      ],
    );
    assert.match(done.entries?.[1]?.error?.message ?? '', /private/i);
    assert.equal(done.files.length, 2);
  });

  it('keeps the finished entries, downloadable, when cancelled mid-playlist', async () => {
    const created = await stack.jobs.create({ url: stack.site.playlistUrl('withslow') });
    await stack.waitUntil(created.id, (job) => job.entries?.[1]?.status === 'running', 60_000);
    const cancelled = await stack.jobs.cancel(created.id);
    assert.equal(cancelled?.status, 'cancelled');
    assert.deepEqual(
      cancelled?.entries?.map((e) => [e.status, e.files.map((f) => f.name)]),
      [
        ['done', ['01 - Plain Tone Video.mp3']],
        ['cancelled', []],
        ['skipped', []],
      ],
    );
    assert.deepEqual(
      cancelled?.files.map((f) => f.name),
      ['01 - Plain Tone Video.mp3'],
    );
    assert.ok(cancelled?.expires_at, 'kept for the retention time');
    // The worker stops the rest; what was finished stays on disk.
    const conversionId = (await conversionOf(stack.services.db, created.id))!;
    const { convert } = stack.services.queues;
    await until(async () => (await convert.getJob(conversionId))?.returnvalue === 'cancelled');
    const [file] = await stack.files(created.id);
    assert.equal(file?.name, '01 - Plain Tone Video.mp3');
    assert.equal(audioOf(await ffprobe(file!.path)).codec_name, 'mp3');
    const after = await stack.jobs.get(created.id);
    assert.deepEqual(
      after?.entries?.map((e) => e.status),
      ['done', 'cancelled', 'skipped'],
    );
    // Stored so too, not only shown so.
    const stored = await getConversion(stack.services.db, conversionId);
    assert.deepEqual(
      stored?.entries?.map((e) => e.status),
      ['done', 'cancelled', 'skipped'],
    );
  });
});

describe('an uploaded file', () => {
  it('cut off at a third gives the audio there is, titled by its name as uploaded, and says where it ended', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ytconv-test-upload-'));
    const path = join(dir, 'upload-1.mp3');
    await promisify(execFile)('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=30', '-b:a', '96k', path]);
    await truncate(path, Math.floor((await stat(path)).size / 3));
    const name = 'Cut "Short" — Café 100%.mp3';
    const created = await stack.jobs.create({ upload: { path, filename: name }, format: 'opus' });
    const done = await stack.waitFor(created.id, 'done');
    assert.equal(done.title, 'Cut "Short" — Café 100%');
    const { at, of } = done.files[0]?.truncated ?? assert.fail('not flagged as truncated');
    assert.ok(Math.abs(of - 30) < 0.1 && Math.abs(at - 10) < 1.5, `ended at ${at} of ${of}`);
    await rm(dir, { recursive: true, force: true });
  });
});
