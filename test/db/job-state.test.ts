import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/db/connect.ts';
import { inTransaction } from '../../src/db/database.ts';
import { listFiles } from '../../src/db/job-files.ts';
import {
  cancelJob,
  failJob,
  finishJob,
  markRunning,
  recordEmailFailure,
  retakeJob,
  setSourceInfo,
  updateProgress,
} from '../../src/db/job-state.ts';
import { createJob, getJob, type Job } from '../../src/db/jobs.ts';
import { dialects, useDatabase } from './dialects.ts';
import { fileInput, HOUR, jobInput, T0 } from './fixtures.ts';

for (const dialect of dialects()) {
  describe(`job state changes on ${dialect.name}`, () => {
    const t = useDatabase(dialect);
    const progress = { phase: 'downloading', progress: 0.25, eta: 40 } as const;

    async function queued(): Promise<Job> {
      return (await createJob(t.db, jobInput(), T0))!;
    }
    async function running(): Promise<Job> {
      const job = await queued();
      assert.ok(await markRunning(t.db, job.id, T0 + 1));
      return job;
    }
    const reload = async (job: Job) => (await getJob(t.db, job.id))!;

    it('lets only the first worker take a queued job', async () => {
      const job = await queued();
      assert.equal(await markRunning(t.db, job.id, T0 + 5), true);
      assert.equal(await markRunning(t.db, job.id, T0 + 6), false);
      const row = await reload(job);
      assert.deepEqual([row.status, row.attempts, row.started_at, row.updated_at], ['running', 1, T0 + 5, T0 + 5]);
    });

    it('lets exactly one of several simultaneous workers take a job', async () => {
      const job = await queued();
      // Workers are separate processes: give half of them a connection of their own.
      const other = openDatabase(t.url);
      try {
        const taken = await Promise.all(Array.from({ length: 8 }, (_, i) => markRunning(i % 2 ? other : t.db, job.id)));
        assert.equal(taken.filter(Boolean).length, 1);
      } finally {
        await other.destroy();
      }
      assert.equal((await reload(job)).attempts, 1);
    });

    it('records progress and source facts only while running', async () => {
      const job = await queued();
      const info = {
        title: 'Song',
        duration: 212.5,
        thumbnail: 'https://i.example/t.jpg',
        source_site: 'youtube',
        source_id: 'dQw4w9WgXcQ',
      };
      assert.equal(await updateProgress(t.db, job.id, progress), false);
      assert.equal(await setSourceInfo(t.db, job.id, info), false);
      assert.equal((await reload(job)).phase, null);
      await markRunning(t.db, job.id);
      assert.equal(await updateProgress(t.db, job.id, progress, T0 + 9), true);
      assert.equal(await setSourceInfo(t.db, job.id, info, T0 + 10), true);
      const row = await reload(job);
      assert.deepEqual([row.phase, row.progress, row.eta, row.updated_at], ['downloading', 0.25, 40, T0 + 10]);
      assert.deepEqual([row.title, row.duration, row.thumbnail], [info.title, info.duration, info.thumbnail]);
    });

    it('ignores a late progress report after the job finished', async () => {
      const job = await running();
      await finishJob(t.db, job.id, [], T0 + HOUR);
      assert.equal(await updateProgress(t.db, job.id, progress), false);
      const row = await reload(job);
      assert.deepEqual([row.status, row.phase, row.progress], ['done', null, 1]);
    });

    it('finishes a running job with its files in order', async () => {
      const job = await running();
      const files = [fileInput('1 Intro.mp3'), fileInput('2 Outro.mp3', { duration: 3.25 })];
      assert.equal(await finishJob(t.db, job.id, files, T0 + HOUR, T0 + 100), true);
      const row = await reload(job);
      assert.deepEqual(
        [row.status, row.progress, row.eta, row.finished_at, row.expires_at],
        ['done', 1, null, T0 + 100, T0 + HOUR],
      );
      const stored = await listFiles(t.db, job.id);
      assert.deepEqual(
        stored.map(({ id: _, ...file }) => file),
        files.map((file, position) => ({ ...file, job_id: job.id, position })),
      );
    });

    it('finishes a job only once, and never one that is not running', async () => {
      const waiting = await queued();
      assert.equal(await finishJob(t.db, waiting.id, [fileInput('a.mp3')], T0 + HOUR), false);
      assert.deepEqual(await listFiles(t.db, waiting.id), []);
      const job = await running();
      await finishJob(t.db, job.id, [fileInput('a.mp3')], T0 + HOUR);
      assert.equal(await finishJob(t.db, job.id, [fileInput('a.mp3')], T0 + HOUR), false);
      assert.equal((await listFiles(t.db, job.id)).length, 1);
    });

    it('records neither done nor any file when one file cannot be stored', async () => {
      const job = await running();
      const broken = { ...fileInput('b.mp3'), name: null as unknown as string };
      await assert.rejects(finishJob(t.db, job.id, [fileInput('a.mp3'), broken], T0 + HOUR));
      assert.equal((await reload(job)).status, 'running');
      assert.deepEqual(await listFiles(t.db, job.id), []);
    });

    it("joins the caller's transaction, so the caller's rollback undoes it", async () => {
      const job = await running();
      const failure = new Error('caller failed after finishing');
      const work = inTransaction(t.db, async (trx) => {
        assert.equal(await finishJob(trx, job.id, [fileInput('a.mp3')], T0 + HOUR), true);
        throw failure;
      });
      await assert.rejects(work, failure);
      assert.equal((await reload(job)).status, 'running');
      assert.deepEqual(await listFiles(t.db, job.id), []);
    });

    it('fails a queued or running job with a code and message, and only those', async () => {
      const job = await running();
      assert.equal(await failJob(t.db, job.id, 'unavailable', 'This video is private.', T0 + 7), true);
      const row = await reload(job);
      assert.deepEqual(
        [row.status, row.error_code, row.error_message, row.finished_at],
        ['failed', 'unavailable', 'This video is private.', T0 + 7],
      );
      assert.equal(await failJob(t.db, job.id, 'internal', 'again'), false);
      assert.equal(await failJob(t.db, (await queued()).id, 'queue_unavailable', 'Redis is down'), true);
    });

    it('cancels a queued or running job, which no worker can then take', async () => {
      const waiting = await queued();
      assert.equal(await cancelJob(t.db, waiting.id), true);
      assert.equal(await markRunning(t.db, waiting.id), false);
      assert.equal((await reload(waiting)).status, 'cancelled');
      assert.equal(await cancelJob(t.db, (await running()).id), true);
      assert.equal(await cancelJob(t.db, waiting.id), false, 'already cancelled');
    });

    it('does not cancel a done job', async () => {
      const job = await running();
      await finishJob(t.db, job.id, [fileInput('a.mp3')], T0 + HOUR);
      assert.equal(await cancelJob(t.db, job.id), false);
      assert.equal((await reload(job)).status, 'done');
    });

    it('lets a worker retake a running job whose message came back, but not a queued or finished one', async () => {
      assert.equal(await retakeJob(t.db, (await queued()).id), false);
      const job = await running();
      assert.equal(await retakeJob(t.db, job.id), true);
      assert.equal((await reload(job)).attempts, 2);
      await failJob(t.db, job.id, 'network', 'down');
      assert.equal(await retakeJob(t.db, job.id), false);
    });

    it('keeps playlist entries with progress and when done, and why an email failed', async () => {
      const job = await running();
      const entry = { title: 'One', url: 'https://v/1', status: 'running' as const, progress: 0.5, error: null };
      await updateProgress(t.db, job.id, { phase: 'downloading', progress: 0.5, eta: null, entries: [entry] });
      assert.deepEqual((await reload(job)).entries, [entry]);
      const final = [{ ...entry, status: 'done' as const, progress: 1 }];
      await finishJob(t.db, job.id, [fileInput('a.mp3')], T0 + HOUR, T0 + 1, final);
      assert.deepEqual((await reload(job)).entries, final);
      await recordEmailFailure(t.db, job.id, 'connection refused');
      assert.equal((await reload(job)).email_error, 'connection refused');
    });
  });
}
