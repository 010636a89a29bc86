/**
 * Webhooks through the real parts: jobs converted by a worker on real Redis from the stand-in
 * site, each job's own receiver and the instance's (YTCONV_WEBHOOK_URL) on loopback, every body
 * checked with the receiver's own HMAC code. A receiver that is down gets the same delivery again,
 * by BullMQ's retries; whatever it answers, the job's status stays as the conversion left it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJob } from '../../src/db/jobs.ts';
import type { JobView } from '../../src/jobs/types.ts';
import { type Received, type Receiver, startReceiver, verifySignature } from '../helpers/receiver.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

const KEY = 'the-webhook-signing-key-of-the-tests';

let stack: Stack;
let instance: Receiver;
const receivers: Receiver[] = [];

/** A receiver of one job's webhook, closed with the stack. */
async function receiver(answer?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const made = await startReceiver(answer);
  receivers.push(made);
  return made;
}

before(async () => {
  instance = await receiver();
  stack = await startStack({
    YTCONV_WEBHOOK_URL: instance.url,
    YTCONV_WEBHOOK_SECRET: KEY,
    // Retries come within the test: 0.1 s, then doubling (six tries in 3.1 s).
    YTCONV_EMAIL_RETRY_DELAY: '0.1',
  });
  await stack.startWorker();
});
after(async () => {
  await stack?.close();
  await Promise.all(receivers.map((r) => r.close()));
});

interface Delivery {
  event: string;
  job: JobView;
  sent_at: string;
  delivery: string;
}

/** A request as a receiver takes it: signature verified, then the body read. */
function taken(request: Received | undefined): Delivery {
  assert.ok(request, 'a request came');
  assert.equal(request.method, 'POST');
  assert.equal(request.headers['content-type'], 'application/json');
  assert.ok(verifySignature(KEY, request.headers['ytconv-signature'], request.raw), 'the signature verifies');
  const delivery = request.headers['ytconv-delivery'];
  assert.equal(typeof delivery, 'string');
  return { ...(request.body as Omit<Delivery, 'delivery'>), delivery: String(delivery) };
}

/** The instance receiver's delivery for this job, once it came. */
async function instanceDelivery(jobId: string): Promise<Delivery> {
  for (let count = 1; ; count++) {
    await instance.waitFor(count);
    const found = instance.received.map(taken).find((d) => d.job.id === jobId);
    if (found) return found;
  }
}

describe('webhooks of jobs', () => {
  it('tell a job’s own receiver and the instance’s that it is done, each once, signed', async () => {
    const own = await receiver();
    const created = await stack.jobs.create({ url: stack.site.watchUrl('plain'), format: 'mp3', webhook_url: own.url });
    const done = await stack.waitFor(created.id, 'done');
    await own.waitFor(1);
    const delivery = taken(own.received[0]);
    assert.equal(delivery.event, 'job.done');
    assert.deepEqual(delivery.job, done, 'the job as the API shows it');
    assert.equal(delivery.job.files[0]?.format, 'mp3');
    assert.ok(Math.abs(Date.parse(delivery.sent_at) - Date.now()) < 60_000);

    const told = await instanceDelivery(created.id);
    assert.equal(told.event, 'job.done');
    assert.deepEqual(told.job, done);
    assert.notEqual(told.delivery, delivery.delivery, 'two receivers, two deliveries');
    assert.equal(own.received.length, 1, 'delivered once');
  });

  it('tell that a job failed, and why', async () => {
    const own = await receiver();
    const created = await stack.jobs.create({ url: stack.site.watchUrl('private'), webhook_url: own.url });
    const failed = await stack.waitFor(created.id, 'failed');
    await own.waitFor(1);
    const delivery = taken(own.received[0]);
    assert.equal(delivery.event, 'job.failed');
    assert.equal(delivery.job.error?.code, 'unavailable');
    assert.deepEqual(delivery.job, failed);
    assert.equal((await instanceDelivery(created.id)).event, 'job.failed');
  });

  it('are tried again while the receiver fails, as the same delivery, and the job stays done', async () => {
    const own = await receiver((n) => (n <= 2 ? 503 : 200));
    const created = await stack.jobs.create({
      url: stack.site.watchUrl('second'),
      format: 'mp3',
      webhook_url: own.url,
    });
    await stack.waitFor(created.id, 'done');
    await own.waitFor(3);
    const deliveries = own.received.map(taken);
    assert.deepEqual(
      deliveries.map((d) => [d.event, d.job.id, d.delivery]),
      Array(3).fill(['job.done', created.id, deliveries[0]?.delivery]),
    );
    assert.equal((await stack.jobs.get(created.id))?.status, 'done');
    assert.equal((await getJob(stack.services.db, created.id))?.webhook_error, null, 'delivered in the end');
  });

  it('give up on a receiver that never takes them, recording why on the job, which stays done', async () => {
    const own = await receiver(() => 500);
    const created = await stack.jobs.create({
      url: stack.site.watchUrl('plain'),
      format: 'opus',
      webhook_url: own.url,
    });
    await stack.waitFor(created.id, 'done');
    const failure = await recordedFailure(created.id);
    assert.match(failure, /answered HTTP 500/);
    assert.equal(own.received.length, 6, 'every attempt, then no more');
    assert.equal((await stack.jobs.get(created.id))?.status, 'done');
  });

  it('tell the instance’s receiver of a job that named none, answered at once from finished work', async () => {
    const first = await stack.jobs.create({ url: stack.site.watchUrl('plain'), format: 'mp3' });
    assert.equal(first.status, 'done', 'the same request as the first test: its files are reused');
    const told = await instanceDelivery(first.id);
    assert.equal(told.event, 'job.done');
    assert.deepEqual(told.job, await stack.jobs.get(first.id));
  });
});

/** The job's webhook_error once its call used up its retries (the worker records it). */
async function recordedFailure(jobId: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const error = (await getJob(stack.services.db, jobId))?.webhook_error;
    if (error) return error;
    if (Date.now() > deadline) throw new Error(`no webhook failure recorded for job ${jobId}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
