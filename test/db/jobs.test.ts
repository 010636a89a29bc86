import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileTotals, listFiles } from '../../src/db/job-files.ts';
import { finishJob, markRunning } from '../../src/db/job-state.ts';
import {
  countJobs,
  createJob,
  deleteJob,
  expiredJobs,
  findActiveDuplicate,
  findReusable,
  getJob,
  type Job,
  type JobInput,
  listJobs,
} from '../../src/db/jobs.ts';
import { dialects, useDatabase } from './dialects.ts';
import { fileInput, HOUR, jobInput, T0 } from './fixtures.ts';

for (const dialect of dialects()) {
  describe(`jobs on ${dialect.name}`, () => {
    const t = useDatabase(dialect);

    async function create(overrides: Partial<JobInput> = {}, now = T0): Promise<Job> {
      const job = await createJob(t.db, jobInput(overrides), now);
      assert.ok(job, 'createJob refused a job');
      return job;
    }

    /** A job taken by a worker and finished with one file, kept until `expiresAt`. */
    async function done(overrides: Partial<JobInput>, expiresAt: number, now = T0): Promise<Job> {
      const job = await create(overrides, now);
      assert.ok(await markRunning(t.db, job.id, now));
      assert.ok(await finishJob(t.db, job.id, [fileInput('a.mp3')], expiresAt, now));
      return (await getJob(t.db, job.id))!;
    }

    it('creates a queued job with an unguessable id and reads it back as stored', async () => {
      const input = jobInput({ title: 'Ünïcode — title', duration: 212.5 });
      const job = await createJob(t.db, input, T0);
      assert.match(job!.id, /^[A-Za-z0-9_-]{22}$/);
      assert.deepEqual(await getJob(t.db, job!.id), {
        ...input,
        id: job!.id,
        status: 'queued',
        phase: null,
        progress: null,
        eta: null,
        thumbnail: null,
        error_code: null,
        error_message: null,
        attempts: 0,
        created_at: T0,
        updated_at: T0,
        started_at: null,
        finished_at: null,
        expires_at: null,
        entries: null,
        email_error: null,
      });
    });

    it('gives every job a different id', async () => {
      const ids = await Promise.all(Array.from({ length: 20 }, async () => (await create()).id));
      assert.equal(new Set(ids).size, 20);
    });

    it('returns null for an unknown id', async () => {
      assert.equal(await getJob(t.db, 'no-such-job-000000000'), null);
    });

    it('refuses a second active job with the same options key, and points to the first', async () => {
      const first = await create({ options_key: 'same' });
      assert.equal(await createJob(t.db, jobInput({ options_key: 'same' })), null);
      assert.equal((await findActiveDuplicate(t.db, 'same'))?.id, first.id);
      await markRunning(t.db, first.id);
      assert.equal(await createJob(t.db, jobInput({ options_key: 'same' })), null);
      assert.equal((await findActiveDuplicate(t.db, 'same'))?.id, first.id);
    });

    it('allows a new job with the same key once the first has finished', async () => {
      await done({ options_key: 'same' }, T0 + HOUR);
      assert.equal(await findActiveDuplicate(t.db, 'same'), null);
      assert.ok(await createJob(t.db, jobInput({ options_key: 'same' })));
    });

    it('never treats jobs without an options key as duplicates', async () => {
      const upload = { source_kind: 'upload' as const, source_url: 'talk.mkv', options_key: null };
      await create(upload);
      await create(upload);
      assert.equal((await listJobs(t.db, { limit: 10, offset: 0 })).length, 2);
    });

    it('reuses only a done job whose files are still kept', async () => {
      const kept = await done({ options_key: 'k' }, T0 + HOUR);
      assert.equal((await findReusable(t.db, 'k', T0 + HOUR - 1))?.id, kept.id);
      assert.equal(await findReusable(t.db, 'k', T0 + HOUR), null, 'expired');
      assert.equal(await findReusable(t.db, 'other', T0), null, 'another key');
      await create({ options_key: 'queued' });
      assert.equal(await findReusable(t.db, 'queued', T0), null, 'not done yet');
    });

    it('reuses the newest of several done jobs', async () => {
      await done({ options_key: 'k' }, T0 + HOUR, T0);
      const newer = await done({ options_key: 'k' }, T0 + 2 * HOUR, T0 + 10);
      assert.equal((await findReusable(t.db, 'k', T0 + 20))?.id, newer.id);
    });

    it('lists newest first, by status, by search, a page at a time', async () => {
      const old = await create({ title: 'Old Song', email: 'Ann@Example.org' }, T0);
      const mid = await create({ title: '100% Pure_Noise' }, T0 + 1);
      const fresh = await create({ title: 'Fresh' }, T0 + 2);
      await markRunning(t.db, mid.id);
      const ids = async (filter: Parameters<typeof listJobs>[1]) => (await listJobs(t.db, filter)).map((j) => j.id);
      assert.deepEqual(await ids({ limit: 10, offset: 0 }), [fresh.id, mid.id, old.id]);
      assert.deepEqual(await ids({ limit: 1, offset: 1 }), [mid.id]);
      assert.deepEqual(await ids({ status: 'running', limit: 10, offset: 0 }), [mid.id]);
      assert.deepEqual(await ids({ search: 'song', limit: 10, offset: 0 }), [old.id], 'title, any case');
      assert.deepEqual(await ids({ search: 'ann@example', limit: 10, offset: 0 }), [old.id], 'email');
      assert.deepEqual(await ids({ search: '0% p', limit: 10, offset: 0 }), [mid.id], '% is literal');
      assert.deepEqual(await ids({ search: 's_n', limit: 10, offset: 0 }), [], '_ is literal (else it finds Song)');
      assert.deepEqual(await ids({ search: fresh.id, limit: 10, offset: 0 }), [fresh.id], 'a job id');
      assert.equal((await listJobs(t.db, { search: 'youtube.com/watch', limit: 10, offset: 0 })).length, 3);
    });

    it('counts what a search matches, whatever the page', async () => {
      await create({ title: 'Old Song' });
      await create({ title: 'New Song' });
      await create({ title: 'Other' });
      assert.equal(await countJobs(t.db, {}), 3);
      assert.equal(await countJobs(t.db, { search: 'song' }), 2);
      assert.equal(await countJobs(t.db, { status: 'done', search: 'song' }), 0);
    });

    it("totals each job's files in one query, beyond 32-bit sizes", async () => {
      const two = await create();
      assert.ok(await markRunning(t.db, two.id));
      assert.ok(await finishJob(t.db, two.id, [fileInput('a.mp3'), fileInput('b.mp3', { size: 5 })], T0 + HOUR));
      const none = await create();
      const totals = await fileTotals(t.db, [two.id, none.id]);
      assert.deepEqual([...totals], [[two.id, { count: 2, size: 3_000_000_005 }]]);
      assert.equal((await fileTotals(t.db, [])).size, 0);
    });

    it('finds expired jobs that still have files, and only those', async () => {
      const expired = await done({}, T0 + HOUR);
      await done({}, T0 + 2 * HOUR);
      await create();
      assert.deepEqual(
        (await expiredJobs(t.db, T0 + HOUR)).map((j) => j.id),
        [expired.id],
      );
    });

    it('deletes a job with its files', async () => {
      const job = await done({}, T0 + HOUR);
      assert.equal((await listFiles(t.db, job.id)).length, 1);
      assert.equal(await deleteJob(t.db, job.id), true);
      assert.equal(await getJob(t.db, job.id), null);
      assert.deepEqual(await listFiles(t.db, job.id), []);
      assert.equal(await deleteJob(t.db, job.id), false);
    });
  });
}
