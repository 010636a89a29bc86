/**
 * Sites that turn this server away, through the real parts: the stand-in site switched into its
 * bot wall, rate limit or broken extractor (Site.block), real workers on real Redis queues, and
 * what a person sees of their job: waiting (not failed), why and until when, then done, without
 * submitting it again. The stand-in's videos are its own queue (YTCONV_PACE names `standin`);
 * direct files go through yt-dlp's generic extractor, in the shared queue.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getConversion } from '../../src/db/conversions.ts';
import { conversionOf } from '../../src/db/jobs.ts';
import { requeueParked, resumeSite } from '../../src/jobs/parking.ts';
import type { JobView } from '../../src/jobs/types.ts';
import { type Stack, startStack } from '../helpers/stack.ts';
import type { Site } from '../site/server.ts';

/** The requests the site saw for a video's page (one per extraction), in order. */
function pageRequests(site: Site, name: string) {
  return site.requests.filter((r) => r.path.startsWith(`/api/videos/${site.video(name).id}`));
}

const waitingFor = (cause: string) => (view: JobView) => view.status === 'queued' && view.waiting?.cause === cause;

/** A stack with one worker for the tests of a `describe`, with these settings; `stack` reads it. */
function useStack(env: NodeJS.ProcessEnv): Stack {
  let current: Stack | null = null;
  before(async () => {
    current = await startStack(env);
    await current.startWorker();
  });
  after(() => current?.close());
  return new Proxy({} as Stack, { get: (_, key) => Reflect.get(current ?? assert.fail('no stack yet'), key) });
}

async function conversion(stack: Stack, jobId: string) {
  const id = (await conversionOf(stack.services.db, jobId)) ?? assert.fail(`no job ${jobId}`);
  return (await getConversion(stack.services.db, id)) ?? assert.fail(`no conversion ${id}`);
}

describe('a site that rate-limits this server', () => {
  // A pause far longer than the test: it ends only when the test lifts it.
  const stack = useStack({ YTCONV_PACE: 'standin=none', YTCONV_PAUSE: '1h' });

  it('parks the job as waiting, pauses that site alone, and runs its jobs when the pause is lifted', async () => {
    const { site, jobs } = stack;
    site.block('ratelimit');
    const parked = await jobs.create({ url: site.watchUrl('plain'), format: 'mp3' });
    const waiting = await stack.waitUntil(parked.id, waitingFor('rate_limited'));
    assert.equal(waiting.error, null, 'waiting, not failed');
    assert.match(waiting.waiting?.message ?? '', /limiting how much this server may fetch/);
    assert.ok(Date.parse(waiting.waiting?.until ?? '') > Date.now() + 30 * 60_000, 'until the pause ends');

    // A new job of the paused site waits too, and says why; another site's job goes through.
    const later = await jobs.create({ url: site.watchUrl('second'), format: 'mp3' });
    assert.equal(later.waiting?.cause, 'rate_limited');
    const other = await jobs.create({ url: site.fileUrl('tone.mp3'), format: 'opus' });
    assert.equal(other.waiting, null);
    await stack.waitFor(other.id, 'done');
    assert.equal((await jobs.get(parked.id))?.status, 'queued');
    assert.equal((await jobs.get(later.id))?.status, 'queued');
    assert.equal(pageRequests(site, 'second').length, 0, 'the paused site was not asked again');

    site.block(null);
    await resumeSite(stack.services, 'standin');
    const [done, laterDone] = await Promise.all([stack.waitFor(parked.id, 'done'), stack.waitFor(later.id, 'done')]);
    assert.equal(done.files.length, 1);
    assert.equal(done.waiting, null);
    assert.equal(laterDone.files.length, 1);
    assert.equal((await conversion(stack, parked.id)).parks, 1);
  });

  it('fails a parked job for real when the site turns it away again', async () => {
    const { site, jobs } = stack;
    site.block('ratelimit');
    try {
      const job = await jobs.create({ url: site.watchUrl('music'), format: 'mp3' });
      await stack.waitUntil(job.id, waitingFor('rate_limited'));
      await resumeSite(stack.services, 'standin');
      const failed = await stack.waitFor(job.id, 'failed');
      assert.equal(failed.error?.code, 'rate_limited');
      assert.equal(failed.waiting, null);
      assert.equal(pageRequests(site, 'music').length, 2, 'run once more, not again');
    } finally {
      site.block(null);
      await resumeSite(stack.services, 'standin');
    }
  });
});

describe('a site showing this server its bot wall', () => {
  const stack = useStack({ YTCONV_PACE: 'standin=none', YTCONV_PAUSE: '4', YTCONV_PAUSE_AFTER_BOT_WALLS: '2' });

  it('pauses the site after a run of bot walls, and its jobs are done once the pause has passed', async () => {
    const { site, jobs } = stack;
    site.block('botwall');
    const first = await jobs.create({ url: site.watchUrl('plain'), format: 'mp3' });
    const second = await jobs.create({ url: site.watchUrl('second'), format: 'mp3' });
    // Each waits, not failed; the second bot wall in a row pauses the whole site.
    for (const job of [first, second]) {
      const view = await stack.waitUntil(job.id, waitingFor('bot_wall'));
      assert.equal(view.error, null);
      assert.match(view.waiting?.message ?? '', /prove it is not a bot/);
    }
    // A job that comes during the pause waits for it before it is even tried.
    const third = await jobs.create({ url: site.watchUrl('music'), format: 'mp3' });
    assert.equal(third.waiting?.cause, 'bot_wall');
    const until = Date.parse(third.waiting?.until ?? '');
    site.block(null);

    for (const job of [first, second, third]) assert.equal((await stack.waitFor(job.id, 'done')).files.length, 1);
    for (const name of ['plain', 'second']) {
      const retry = pageRequests(site, name)[1];
      assert.ok(retry && retry.at >= until - 50, `${name} was not tried again before the pause ended`);
    }
    const tried = pageRequests(site, 'music')[0];
    assert.ok(tried && tried.at >= until - 50, 'nor was the job that came during the pause');
  });
});

describe('a broken extractor', () => {
  const stack = useStack({ YTCONV_PACE: 'standin=none' });

  it('parks the job until requeueParked (after a yt-dlp update) runs it again, once', async () => {
    const { site, jobs } = stack;
    site.block('broken');
    const job = await jobs.create({ url: site.watchUrl('plain'), format: 'mp3' });
    const waiting = await stack.waitUntil(job.id, waitingFor('extractor_broken'));
    assert.equal(waiting.waiting?.until, null, 'until yt-dlp is updated');
    assert.match(waiting.waiting?.message ?? '', /once yt-dlp is updated/);
    site.block(null);

    assert.equal(await requeueParked(stack.services, 'extractor_broken'), 1);
    assert.equal(await requeueParked(stack.services, 'extractor_broken'), 0, 'once each');
    assert.equal((await stack.waitFor(job.id, 'done')).files.length, 1);
  });
});

describe('a paced site', () => {
  const stack = useStack({ YTCONV_PACE: 'standin=1/2s' });

  it('has its conversions started no closer together than its rate allows, over all workers', async () => {
    const { site, jobs } = stack;
    await stack.startWorker();
    const names = ['plain', 'second', 'music'];
    const created = await Promise.all(names.map((name) => jobs.create({ url: site.watchUrl(name), format: 'mp3' })));
    await Promise.all(created.map((job) => stack.waitFor(job.id, 'done')));
    const starts = names.map((name) => pageRequests(site, name)[0]?.at ?? assert.fail(`${name} was never read`));
    const gaps = starts
      .sort((a, b) => a - b)
      .slice(1)
      .map((at, i) => at - (starts[i] ?? 0));
    // One conversion per 2 s window: a generous lower bound, for the time between a start and its request.
    for (const gap of gaps) assert.ok(gap >= 1000, `conversions started ${gaps.join(', ')} ms apart`);
  });
});
