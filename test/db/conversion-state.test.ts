import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/db/connect.ts';
import { listFiles } from '../../src/db/conversion-files.ts';
import {
  abandonConversion,
  dropUnkeptCover,
  failConversion,
  finishConversion,
  recordEntry,
  releaseConversion,
  setCover,
  setSourceInfo,
  startEntries,
  takeConversion,
  updateProgress,
} from '../../src/db/conversion-state.ts';
import { type Conversion, getConversion } from '../../src/db/conversions.ts';
import { inTransaction } from '../../src/db/database.ts';
import { cancelJob, createWithConversion, NO_CONTACT } from '../../src/db/jobs.ts';
import type { EntryState } from '../../src/db/tables/conversions.ts';
import { dialects, useDatabase } from './dialects.ts';
import { conversionInput, fileInput, HOUR, T0 } from './fixtures.ts';

const RULES = { staleBefore: T0 - 10_000, maxAttempts: 3 };
const ERROR = { code: 'unavailable', message: 'This video is private.' } as const;

for (const dialect of dialects()) {
  describe(`conversion state changes on ${dialect.name}`, () => {
    const t = useDatabase(dialect);
    const progress = { phase: 'downloading', progress: 0.25, eta: 40 } as const;

    async function queued(): Promise<{ work: Conversion; jobId: string }> {
      const job = (await createWithConversion(t.db, conversionInput(), NO_CONTACT, T0))!;
      return { work: job.conversion, jobId: job.id };
    }
    async function held(token = 'first'): Promise<Conversion> {
      const { work } = await queued();
      assert.ok(await takeConversion(t.db, work.id, token, RULES, T0 + 1));
      return work;
    }
    const reload = async (work: Conversion) => (await getConversion(t.db, work.id))!;

    it('lets only the first worker take a queued conversion, with its token', async () => {
      const { work } = await queued();
      assert.equal(await takeConversion(t.db, work.id, 'a', RULES, T0 + 5), true);
      assert.equal(await takeConversion(t.db, work.id, 'b', RULES, T0 + 6), false);
      const row = await reload(work);
      assert.deepEqual(
        [row.status, row.take_token, row.attempts, row.started_at, row.updated_at],
        ['running', 'a', 1, T0 + 5, T0 + 5],
      );
    });

    it('lets exactly one of several simultaneous workers take it', async () => {
      const { work } = await queued();
      // Workers are separate processes: give half of them a connection of their own.
      const other = openDatabase(t.url);
      try {
        const taken = await Promise.all(
          Array.from({ length: 8 }, (_, i) => takeConversion(i % 2 ? other : t.db, work.id, `w${i}`, RULES)),
        );
        assert.equal(taken.filter(Boolean).length, 1);
      } finally {
        await other.destroy();
      }
      assert.equal((await reload(work)).attempts, 1);
    });

    it('lets a worker retake a running conversion only once its holder went quiet', async () => {
      const work = await held('first');
      assert.equal(await takeConversion(t.db, work.id, 'second', { ...RULES, staleBefore: T0 + 1 }), false, 'fresh');
      assert.equal(await takeConversion(t.db, work.id, 'second', { ...RULES, staleBefore: T0 + 2 }), true, 'quiet');
      assert.equal((await reload(work)).attempts, 2);
    });

    it('fences off a worker that lost the conversion: none of its writes land', async () => {
      const work = await held('first');
      await takeConversion(t.db, work.id, 'second', { ...RULES, staleBefore: T0 + 2 }, T0 + 3);
      const info = { title: 'T', duration: 1, thumbnail: null, source_site: 'youtube', source_id: 'x' };
      assert.equal(await updateProgress(t.db, work.id, 'first', progress), false);
      assert.equal(await setSourceInfo(t.db, work.id, 'first', info), false);
      assert.equal(
        await finishConversion(t.db, work.id, 'first', { files: [fileInput('a.mp3')], expiresAt: T0 + HOUR }),
        false,
      );
      assert.equal(await failConversion(t.db, work.id, 'first', ERROR, T0 + HOUR), false);
      assert.equal(await releaseConversion(t.db, work.id, 'first'), false);
      const row = await reload(work);
      assert.deepEqual([row.status, row.take_token, row.phase, row.title], ['running', 'second', null, null]);
      assert.deepEqual(await listFiles(t.db, work.id), []);
      assert.equal(await updateProgress(t.db, work.id, 'second', progress, T0 + 9), true);
    });

    it('keeps a cover only as its take’s: a lost worker cannot set it, a new take or a hand-back clears it', async () => {
      const work = await held('first');
      assert.equal(await setCover(t.db, work.id, 'first', 'jobs/x/first/cover.jpg', T0 + 2), true);
      assert.equal((await reload(work)).cover, 'jobs/x/first/cover.jpg');
      assert.ok(await takeConversion(t.db, work.id, 'second', { ...RULES, staleBefore: T0 + 3 }, T0 + 4));
      assert.equal((await reload(work)).cover, null, 'the new take makes its own');
      assert.equal(await setCover(t.db, work.id, 'first', 'jobs/x/first/cover.jpg'), false);
      assert.equal(await setCover(t.db, work.id, 'second', 'jobs/x/second/cover.jpg'), true);
      assert.equal(await releaseConversion(t.db, work.id, 'second'), true);
      assert.equal((await reload(work)).cover, null, 'the next take starts afresh');
    });

    it('keeps the cover of an ended take only beside files it kept, and only its own take drops it', async () => {
      const kept = await held('first');
      assert.equal(await setCover(t.db, kept.id, 'first', 'jobs/x/first/cover.jpg'), true);
      const update = { entries: [], files: [{ ...fileInput('01 - One.mp3'), entry: 0 }] };
      assert.equal(await recordEntry(t.db, kept.id, 'first', update), true);
      assert.equal(await dropUnkeptCover(t.db, kept.id, 'first'), false, 'still running');
      assert.equal(await failConversion(t.db, kept.id, 'first', ERROR, T0 + HOUR), true);
      assert.equal(await dropUnkeptCover(t.db, kept.id, 'first'), false, 'a finished entry is kept');
      assert.equal((await reload(kept)).cover, 'jobs/x/first/cover.jpg');

      const bare = await held('second');
      assert.equal(await setCover(t.db, bare.id, 'second', 'jobs/y/second/cover.jpg'), true);
      assert.equal(await failConversion(t.db, bare.id, 'second', ERROR, T0 + HOUR), true);
      assert.equal(await dropUnkeptCover(t.db, bare.id, 'another'), false, 'another take’s');
      assert.equal(await dropUnkeptCover(t.db, bare.id, 'second'), true);
      assert.equal((await reload(bare)).cover, null);
    });

    it('takes no conversion whose attempts are used up, and abandons it once unheld', async () => {
      const work = await held('a');
      const rules = { staleBefore: T0 + 100, maxAttempts: 2 };
      assert.ok(await takeConversion(t.db, work.id, 'b', rules, T0 + 50));
      assert.equal(await takeConversion(t.db, work.id, 'c', rules, T0 + 60), false);
      assert.equal(
        await abandonConversion(t.db, work.id, { ...rules, staleBefore: T0 + 50 }, ERROR, T0 + HOUR),
        false,
        'held',
      );
      assert.equal(
        await abandonConversion(t.db, work.id, { ...rules, staleBefore: T0 + 51 }, ERROR, T0 + HOUR, T0 + 70),
        true,
      );
      const row = await reload(work);
      assert.deepEqual([row.status, row.error_code, row.finished_at], ['failed', 'unavailable', T0 + 70]);
    });

    it('hands a conversion back without counting the take', async () => {
      const work = await held('a');
      await updateProgress(t.db, work.id, 'a', progress);
      assert.equal(await releaseConversion(t.db, work.id, 'a', T0 + 7), true);
      const row = await reload(work);
      assert.deepEqual([row.status, row.take_token, row.attempts, row.phase], ['queued', null, 0, null]);
      assert.equal(await takeConversion(t.db, work.id, 'b', RULES), true);
    });

    it('finishes a held conversion with its files in order, once', async () => {
      const work = await held('a');
      const files = [fileInput('1 Intro.mp3'), fileInput('2 Outro.mp3', { duration: 3.25 })];
      assert.equal(await finishConversion(t.db, work.id, 'a', { files, expiresAt: T0 + HOUR }, T0 + 100), true);
      const row = await reload(work);
      assert.deepEqual(
        [row.status, row.progress, row.eta, row.finished_at, row.expires_at],
        ['done', 1, null, T0 + 100, T0 + HOUR],
      );
      const stored = await listFiles(t.db, work.id);
      assert.deepEqual(
        stored.map(({ id: _, ...file }) => file),
        files.map((file, position) => ({
          ...file,
          conversion_id: work.id,
          position,
          entry: null,
          truncated_at: null,
          truncated_of: null,
          unsplit: 0,
          title: null,
          artist: null,
          sponsorblock: null,
        })),
      );
      assert.equal(await finishConversion(t.db, work.id, 'a', { files, expiresAt: T0 + HOUR }), false);
      assert.equal(await updateProgress(t.db, work.id, 'a', progress), false, 'a late report');
      assert.equal((await listFiles(t.db, work.id)).length, 2);
    });

    it('records neither done nor any file when one file cannot be stored', async () => {
      const work = await held('a');
      const broken = { ...fileInput('b.mp3'), name: null as unknown as string };
      const result = { files: [fileInput('a.mp3'), broken], expiresAt: T0 + HOUR };
      await assert.rejects(finishConversion(t.db, work.id, 'a', result));
      assert.equal((await reload(work)).status, 'running');
      assert.deepEqual(await listFiles(t.db, work.id), []);
    });

    it("joins the caller's transaction, so the caller's rollback undoes it", async () => {
      const work = await held('a');
      const failure = new Error('caller failed after finishing');
      const attempt = inTransaction(t.db, async (trx) => {
        assert.ok(await finishConversion(trx, work.id, 'a', { files: [fileInput('a.mp3')], expiresAt: T0 + HOUR }));
        throw failure;
      });
      await assert.rejects(attempt, failure);
      assert.equal((await reload(work)).status, 'running');
    });

    it('fails a held conversion with a code and message', async () => {
      const work = await held('a');
      assert.equal(await failConversion(t.db, work.id, 'a', ERROR, T0 + HOUR, T0 + 7), true);
      const row = await reload(work);
      assert.deepEqual(
        [row.status, row.error_code, row.error_message, row.finished_at, row.expires_at],
        ['failed', 'unavailable', 'This video is private.', T0 + 7, T0 + HOUR],
      );
      assert.equal(await failConversion(t.db, work.id, 'a', ERROR, T0 + HOUR), false);
    });

    it('refuses every write of its worker once the last requester cancelled', async () => {
      const { work, jobId } = await queued();
      await takeConversion(t.db, work.id, 'a', RULES);
      assert.deepEqual(await cancelJob(t.db, jobId, T0 + HOUR), { stopped: true });
      assert.equal(await updateProgress(t.db, work.id, 'a', progress), false);
      assert.equal(await finishConversion(t.db, work.id, 'a', { files: [], expiresAt: T0 + HOUR }), false);
      assert.equal((await reload(work)).status, 'cancelled');
      assert.equal(await takeConversion(t.db, work.id, 'b', RULES), false);
    });

    const entry = (status: EntryState['status'], finished_at: number | null = null): EntryState => ({
      title: 'One',
      status,
      error: null,
      finished_at,
    });

    it('records each playlist entry with the files it made, and keeps them when the work is cancelled, the entry under way cancelled', async () => {
      const { work, jobId } = await queued();
      await takeConversion(t.db, work.id, 'a', RULES);
      assert.equal(await startEntries(t.db, work.id, 'a', [entry('queued'), entry('queued'), entry('queued')]), true);
      const files = [{ ...fileInput('01 - One.mp3'), entry: 0 }];
      const done = { entries: [entry('done', T0 + 5), entry('running'), entry('queued')], files };
      assert.equal(await recordEntry(t.db, work.id, 'a', done), true);
      assert.deepEqual((await reload(work)).entries, done.entries);
      assert.deepEqual(await cancelJob(t.db, jobId, T0 + HOUR), { stopped: true });
      assert.deepEqual(
        (await reload(work)).entries?.map((e) => e.status),
        ['done', 'cancelled', 'skipped'],
      );
      const late = { entries: [entry('done', T0 + 5), entry('done', T0 + 9)], files: [fileInput('02 - Two.mp3')] };
      assert.equal(await recordEntry(t.db, work.id, 'a', late), false, 'fenced');
      assert.deepEqual(
        (await listFiles(t.db, work.id)).map((f) => [f.name, f.entry, f.position]),
        [['01 - One.mp3', 0, 0]],
      );
      assert.equal((await reload(work)).expires_at, T0 + HOUR, 'swept with the rest, later');
    });

    it('forgets what a take recorded when it hands the conversion back or another take starts over', async () => {
      const work = await held('a');
      await startEntries(t.db, work.id, 'a', [entry('queued')]);
      await recordEntry(t.db, work.id, 'a', { entries: [entry('done', T0)], files: [fileInput('a.mp3')] });
      assert.equal(await releaseConversion(t.db, work.id, 'a'), true);
      assert.deepEqual([(await reload(work)).entries, await listFiles(t.db, work.id)], [null, []]);
      assert.ok(await takeConversion(t.db, work.id, 'b', RULES));
      await recordEntry(t.db, work.id, 'b', { entries: [entry('done', T0)], files: [fileInput('a.mp3')] });
      assert.ok(await takeConversion(t.db, work.id, 'c', { ...RULES, staleBefore: Date.now() + 1 }));
      await startEntries(t.db, work.id, 'c', [entry('queued')]);
      assert.deepEqual(await listFiles(t.db, work.id), []);
    });
  });
}
