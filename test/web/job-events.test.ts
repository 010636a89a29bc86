/** The live-stream logic against a scripted JobsApi: coalescing, de-duplication, ending, cleanup. */
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../../src/jobs/types.ts';
import { followJob } from '../../src/web/job-events.ts';
import { jobView } from '../helpers/views.ts';

function view(fields: Partial<JobView> = {}): JobView {
  return jobView({ status: 'running', phase: 'downloading', progress: 0, ...fields });
}

/** A JobsApi whose `get` answers slowly, counting reads and how many overlap. */
function scripted(initial: JobView, readMs = 20) {
  let current: JobView | null = initial;
  let listener: (() => void) | null = null;
  const stats = { reads: 0, inFlight: 0, maxInFlight: 0, unsubscribed: false };
  const jobs = {
    async get() {
      stats.reads++;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      await sleep(readMs);
      stats.inFlight--;
      return current;
    },
    watch(_id: string, onChange: () => void) {
      listener = onChange;
      return () => {
        stats.unsubscribed = true;
        listener = null;
      };
    },
  };
  return {
    jobs,
    stats,
    set(next: JobView | null) {
      current = next;
      listener?.();
    },
    poke: () => listener?.(),
  };
}

function recorder() {
  const sent: JobView[] = [];
  let pings = 0;
  let ended = 0;
  const errors: unknown[] = [];
  return {
    sent,
    errors,
    get pings() {
      return pings;
    },
    get ended() {
      return ended;
    },
    callbacks: {
      send: (json: string) => sent.push(JSON.parse(json) as JobView),
      ping: () => pings++,
      end: () => ended++,
      onError: (err: unknown) => errors.push(err),
    },
  };
}

describe('followJob', () => {
  it('sends the first view at once and ends at once for a finished job, without subscribing', () => {
    const site = scripted(view({ status: 'done' }));
    const out = recorder();
    followJob({ jobs: site.jobs, initial: view({ status: 'done' }), heartbeatMs: 1000, ...out.callbacks });
    assert.deepEqual(
      out.sent.map((v) => v.status),
      ['done'],
    );
    assert.equal(out.ended, 1);
    assert.equal(site.stats.reads, 0);
  });

  it('coalesces a burst of changes: one read in flight, the newest state sent, no repeats', async () => {
    const site = scripted(view());
    const out = recorder();
    const stop = followJob({ jobs: site.jobs, initial: view(), heartbeatMs: 1000, ...out.callbacks });
    for (let i = 1; i <= 50; i++) site.set(view({ progress: i / 50 }));
    await sleep(150);
    assert.equal(site.stats.maxInFlight, 1);
    assert.ok(site.stats.reads <= 3, `${site.stats.reads} reads for a burst`);
    assert.deepEqual(
      out.sent.map((v) => v.progress),
      [0, 1],
    );
    site.poke();
    await sleep(50);
    assert.equal(out.sent.length, 2, 'an unchanged job is not sent again');
    stop();
  });

  it('sends an unchanged job again once half a second has passed, so that each of the worker’s writes shows', async () => {
    mock.timers.enable({ apis: ['Date'] });
    try {
      const site = scripted(view(), 1);
      const out = recorder();
      const stop = followJob({ jobs: site.jobs, initial: view(), heartbeatMs: 1000, ...out.callbacks });
      await sleep(20);
      site.poke();
      await sleep(20);
      assert.equal(out.sent.length, 1, 'not again at once');
      mock.timers.tick(500);
      site.poke();
      await sleep(20);
      assert.equal(out.sent.length, 2);
      stop();
    } finally {
      mock.timers.reset();
    }
  });

  it('sends the job again every second even when the worker writes nothing meanwhile', async () => {
    mock.timers.enable({ apis: ['Date', 'setInterval'] });
    try {
      const site = scripted(view(), 1);
      const out = recorder();
      const stop = followJob({ jobs: site.jobs, initial: view(), heartbeatMs: 60_000, ...out.callbacks });
      await sleep(20);
      assert.equal(out.sent.length, 1);
      mock.timers.tick(750);
      await sleep(20);
      assert.equal(out.sent.length, 1, 'not before a second has passed');
      mock.timers.tick(250);
      await sleep(20);
      assert.equal(out.sent.length, 2);
      stop();
    } finally {
      mock.timers.reset();
    }
  });

  it('ends after sending a final status and unsubscribes', async () => {
    const site = scripted(view());
    const out = recorder();
    followJob({ jobs: site.jobs, initial: view(), heartbeatMs: 1000, ...out.callbacks });
    site.set(view({ status: 'failed', error: { code: 'unavailable', message: 'gone' } }));
    await sleep(100);
    assert.equal(out.sent.at(-1)?.status, 'failed');
    assert.equal(out.ended, 1);
    assert.equal(site.stats.unsubscribed, true);
  });

  it('ends when the job disappears', async () => {
    const site = scripted(view());
    const out = recorder();
    followJob({ jobs: site.jobs, initial: view(), heartbeatMs: 1000, ...out.callbacks });
    site.set(null);
    await sleep(100);
    assert.equal(out.ended, 1);
  });

  it('pings while idle and stops everything when the client leaves', async () => {
    const site = scripted(view());
    const out = recorder();
    const stop = followJob({ jobs: site.jobs, initial: view(), heartbeatMs: 20, ...out.callbacks });
    await sleep(110);
    assert.ok(out.pings >= 3, `${out.pings} pings`);
    stop();
    const pings = out.pings;
    site.set(view({ progress: 0.5 }));
    await sleep(60);
    assert.equal(out.pings, pings);
    assert.equal(site.stats.unsubscribed, true);
    assert.equal(out.ended, 0, 'the client closed the stream itself');
  });

  it('reports a failing read and closes the stream', async () => {
    const out = recorder();
    const jobs = {
      get: () => Promise.reject(new Error('database down')),
      watch: () => () => {},
    };
    followJob({ jobs, initial: view(), heartbeatMs: 1000, ...out.callbacks });
    await sleep(20);
    assert.equal(out.errors.length, 1);
    assert.equal(out.ended, 1);
  });
});
