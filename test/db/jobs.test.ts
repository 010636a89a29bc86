import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/db/connect.ts';
import { deleteFiles, listFiles } from '../../src/db/conversion-files.ts';
import { failConversion, finishConversion, setCover, takeConversion } from '../../src/db/conversion-state.ts';
import {
  type ConversionInput,
  countQueued,
  deleteOrphanConversion,
  expiredConversions,
  findExisting,
  getConversion,
} from '../../src/db/conversions.ts';
import {
  attachToActive,
  attachToDone,
  cancelJob,
  countJobs,
  createWithConversion,
  deleteJob,
  getJob,
  type Job,
  jobStatus,
  jobsToNotify,
  listJobs,
  NO_CONTACT,
} from '../../src/db/jobs.ts';
import { dialects, useDatabase } from './dialects.ts';
import { conversionInput, fileInput, HOUR, T0 } from './fixtures.ts';

/** A requester told by email only. */
const byEmail = (email: string | null) => ({ ...NO_CONTACT, email });

const RULES = { staleBefore: T0, maxAttempts: 5 };
const ERROR = { code: 'unavailable' as const, message: 'This video is private.' };

for (const dialect of dialects()) {
  describe(`jobs and their conversions on ${dialect.name}`, () => {
    const t = useDatabase(dialect);

    async function create(overrides: Partial<ConversionInput> = {}, email: string | null = null, now = T0) {
      const job = await createWithConversion(t.db, conversionInput(overrides), byEmail(email), now);
      assert.ok(job, 'createWithConversion refused new work');
      return job;
    }

    /** Work taken by a worker and finished with one file, kept until `expiresAt`. */
    async function done(overrides: Partial<ConversionInput>, expiresAt: number, now = T0): Promise<Job> {
      const job = await create(overrides, null, now);
      assert.ok(await takeConversion(t.db, job.conversion_id, 'tok', RULES, now));
      assert.ok(
        await finishConversion(t.db, job.conversion_id, 'tok', { files: [fileInput('a.mp3')], expiresAt }, now),
      );
      return (await getJob(t.db, job.id))!;
    }

    it('creates a queued job over new work, with unguessable ids, and reads both back', async () => {
      const input = conversionInput({ title: 'Ünïcode — title' });
      const job = (await createWithConversion(t.db, input, byEmail('me@example.org'), T0))!;
      assert.match(job.id, /^[A-Za-z0-9_-]{22}$/);
      assert.notEqual(job.conversion_id, job.id);
      const { conversion, ...row } = (await getJob(t.db, job.id))!;
      assert.deepEqual(row, {
        id: job.id,
        conversion_id: job.conversion_id,
        email: 'me@example.org',
        email_error: null,
        webhook_url: null,
        webhook_error: null,
        created_at: T0,
        cancelled_at: null,
      });
      assert.deepEqual(conversion, {
        ...input,
        id: job.conversion_id,
        status: 'queued',
        phase: null,
        progress: null,
        eta: null,
        duration: null,
        thumbnail: null,
        cover: null,
        error_code: null,
        error_message: null,
        attempts: 0,
        take_token: null,
        active_jobs: 1,
        entries: null,
        park_cause: null,
        park_until: null,
        parks: 0,
        created_at: T0,
        updated_at: T0,
        started_at: null,
        finished_at: null,
        expires_at: null,
      });
      assert.equal(await getJob(t.db, 'no-such-job-000000000'), null);
    });

    it('refuses second new work with the same options key while the first is unfinished', async () => {
      const first = await create({ options_key: 'same' });
      assert.equal(await createWithConversion(t.db, conversionInput({ options_key: 'same' }), NO_CONTACT), null);
      assert.equal((await findExisting(t.db, 'same')).active?.id, first.conversion_id);
      await takeConversion(t.db, first.conversion_id, 'tok', RULES);
      assert.equal(await createWithConversion(t.db, conversionInput({ options_key: 'same' }), NO_CONTACT), null);
      await done({ options_key: 'other' }, T0 + HOUR);
      assert.equal((await findExisting(t.db, 'other', T0)).active, null, 'finished work is not active');
      assert.ok(await createWithConversion(t.db, conversionInput({ options_key: 'other' }), NO_CONTACT));
    });

    it('never shares work without an options key (uploads)', async () => {
      const upload = { source_kind: 'upload' as const, source_url: 'talk.mkv', options_key: null };
      const a = await create(upload);
      const b = await create(upload);
      assert.notEqual(a.conversion_id, b.conversion_id);
    });

    it('attaches a second requester to work in progress, each with an own id and email', async () => {
      const first = await create({ options_key: 'k' }, 'a@x.org');
      const second = (await attachToActive(t.db, first.conversion_id, byEmail('b@x.org'), T0 + 1))!;
      assert.notEqual(second.id, first.id);
      assert.equal(second.conversion_id, first.conversion_id);
      assert.equal(second.conversion.active_jobs, 2);
      assert.deepEqual(
        (await jobsToNotify(t.db, first.conversion_id)).map((j) => j.email),
        ['a@x.org', 'b@x.org'],
      );
    });

    it('detaches one requester on cancel, and stops the work when the last one leaves', async () => {
      const first = await create({ options_key: 'k' }, 'a@x.org');
      const second = (await attachToActive(t.db, first.conversion_id, byEmail('b@x.org')))!;
      assert.deepEqual(await cancelJob(t.db, first.id, T0 + HOUR, T0 + 5), { stopped: false });
      assert.equal(jobStatus((await getJob(t.db, first.id))!), 'cancelled');
      assert.equal(jobStatus((await getJob(t.db, second.id))!), 'queued');
      assert.deepEqual(
        (await jobsToNotify(t.db, first.conversion_id)).map((j) => j.email),
        ['b@x.org'],
        'a cancelled requester is not mailed',
      );
      assert.equal(await cancelJob(t.db, first.id, T0 + HOUR), null, 'already cancelled');
      assert.deepEqual(await cancelJob(t.db, second.id, T0 + HOUR, T0 + 6), { stopped: true });
      const work = (await getConversion(t.db, first.conversion_id))!;
      assert.deepEqual([work.status, work.active_jobs, work.finished_at], ['cancelled', 0, T0 + 6]);
      assert.equal(await attachToActive(t.db, work.id, NO_CONTACT), null, 'nobody joins stopped work');
    });

    it('never lets a request join work its last requester is leaving at that moment', async () => {
      for (let round = 0; round < 10; round++) {
        const first = await create();
        // A second connection races on PostgreSQL. better-sqlite3 waits for a lock synchronously,
        // so two connections in one process would block each other; there the driver serialises.
        const other = dialect.name === 'postgres' ? openDatabase(t.url) : t.db;
        try {
          const [cancelled, joined] = await Promise.all([
            cancelJob(t.db, first.id, T0 + HOUR),
            attachToActive(other, first.conversion_id, NO_CONTACT),
          ]);
          const work = (await getConversion(t.db, first.conversion_id))!;
          if (joined) assert.equal(work.status, 'queued', 'the joined request keeps it alive');
          else assert.deepEqual([cancelled, work.status], [{ stopped: true }, 'cancelled']);
        } finally {
          if (other !== t.db) await other.destroy();
        }
      }
    });

    it('does not cancel a job whose work has ended', async () => {
      const job = await done({}, T0 + HOUR);
      assert.equal(await cancelJob(t.db, job.id, T0 + HOUR), null);
      assert.equal(jobStatus((await getJob(t.db, job.id))!), 'done');
    });

    it('reuses only finished work whose files are still kept, keeping them longer for the new job', async () => {
      const kept = await done({ options_key: 'k' }, T0 + HOUR);
      const reusable = async (key: string, now: number) => (await findExisting(t.db, key, now)).done;
      assert.equal((await reusable('k', T0 + HOUR - 1))?.id, kept.conversion_id);
      assert.equal(await reusable('k', T0 + HOUR), null, 'expired');
      assert.equal(await reusable('other', T0), null, 'another key');
      await create({ options_key: 'queued' });
      assert.equal(await reusable('queued', T0), null, 'not done yet');
      const again = (await attachToDone(t.db, kept.conversion_id, NO_CONTACT, T0 + 3 * HOUR, T0 + 10))!;
      assert.equal(jobStatus(again), 'done');
      assert.equal(again.conversion.expires_at, T0 + 3 * HOUR);
      assert.ok(await attachToDone(t.db, kept.conversion_id, NO_CONTACT, T0 + 2 * HOUR, T0 + 20));
      assert.equal((await getConversion(t.db, kept.conversion_id))?.expires_at, T0 + 3 * HOUR, 'never shortened');
      assert.equal(await attachToDone(t.db, kept.conversion_id, NO_CONTACT, T0 + 9 * HOUR, T0 + 3 * HOUR), null);
    });

    it('reuses the newest of several finished conversions', async () => {
      await done({ options_key: 'k' }, T0 + HOUR, T0);
      const newer = await done({ options_key: 'k' }, T0 + 2 * HOUR, T0 + 10);
      assert.equal((await findExisting(t.db, 'k', T0 + 20)).done?.id, newer.conversion_id);
    });

    it('counts queued work', async () => {
      await create();
      const running = await create();
      await takeConversion(t.db, running.conversion_id, 'tok', RULES);
      assert.equal(await countQueued(t.db), 1);
    });

    it('lists jobs newest first, by status, by search, a page at a time', async () => {
      const old = await create({ title: 'Old Song' }, 'Ann@Example.org', T0);
      const mid = await create({ title: '100% Pure_Noise' }, null, T0 + 1);
      const fresh = await create({ title: 'Fresh' }, null, T0 + 2);
      await takeConversion(t.db, mid.conversion_id, 'tok', RULES);
      await cancelJob(t.db, fresh.id, T0 + HOUR);
      const ids = async (filter: Parameters<typeof listJobs>[1]) => (await listJobs(t.db, filter)).map((j) => j.id);
      assert.deepEqual(await ids({ limit: 10, offset: 0 }), [fresh.id, mid.id, old.id]);
      assert.deepEqual(await ids({ limit: 1, offset: 1 }), [mid.id]);
      assert.deepEqual(await ids({ status: 'running', limit: 10, offset: 0 }), [mid.id]);
      assert.deepEqual(await ids({ status: 'cancelled', limit: 10, offset: 0 }), [fresh.id]);
      assert.deepEqual(await ids({ search: 'song', limit: 10, offset: 0 }), [old.id], 'title, any case');
      assert.deepEqual(await ids({ search: 'ann@example', limit: 10, offset: 0 }), [old.id], 'email');
      assert.deepEqual(await ids({ search: '0% p', limit: 10, offset: 0 }), [mid.id], '% is literal');
      assert.deepEqual(await ids({ search: 's_n', limit: 10, offset: 0 }), [], '_ is literal (else it finds Song)');
      assert.deepEqual(await ids({ search: fresh.id, limit: 10, offset: 0 }), [fresh.id], 'a job id');
      assert.equal(await countJobs(t.db, { search: 'youtube.com/watch' }), 3);
      assert.equal(await countJobs(t.db, { status: 'done', search: 'song' }), 0);
    });

    it('finds expired conversions that still have files or a cover, and only those', async () => {
      const expired = await done({}, T0 + HOUR);
      await done({}, T0 + 2 * HOUR);
      await create();
      // A failed conversion that finished no file keeps only its cover.
      const failed = await create();
      assert.ok(await takeConversion(t.db, failed.conversion_id, 'tok', RULES, T0));
      assert.ok(await setCover(t.db, failed.conversion_id, 'tok', 'jobs/f/tok/cover.jpg', T0));
      assert.ok(await failConversion(t.db, failed.conversion_id, 'tok', ERROR, T0 + HOUR / 2, T0));
      assert.deepEqual(
        (await expiredConversions(t.db, T0 + HOUR)).map((c) => c.id),
        [failed.conversion_id, expired.conversion_id],
      );
      await deleteFiles(t.db, failed.conversion_id);
      assert.equal((await getConversion(t.db, failed.conversion_id))?.cover, null, 'forgotten with the files');
      assert.deepEqual(
        (await expiredConversions(t.db, T0 + HOUR)).map((c) => c.id),
        [expired.conversion_id],
      );
    });

    it('deletes a job, and its work with the files only once no other job points at it', async () => {
      const job = await done({ options_key: 'k' }, T0 + HOUR);
      const other = (await attachToDone(t.db, job.conversion_id, NO_CONTACT, T0 + HOUR, T0))!;
      assert.equal(await deleteJob(t.db, job.id), true);
      assert.equal(await getJob(t.db, job.id), null);
      assert.equal(await deleteOrphanConversion(t.db, job.conversion_id), false, 'still wanted');
      assert.equal((await listFiles(t.db, job.conversion_id)).length, 1);
      await deleteJob(t.db, other.id);
      assert.equal(await deleteOrphanConversion(t.db, job.conversion_id), true);
      assert.deepEqual(await listFiles(t.db, job.conversion_id), []);
      assert.equal(await deleteJob(t.db, job.id), false);
    });
  });
}
