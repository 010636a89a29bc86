/**
 * The operator hears of a site paused through the real parts: a worker on real Redis, the
 * stand-in site rate-limiting this server, a real SMTP server and a real HTTP receiver on
 * loopback. A receiver that fails gets the same notice again, by BullMQ's retries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resumeSite } from '../../src/jobs/parking.ts';
import { webhookSettingsOf } from '../../src/services.ts';
import { type Receiver, startReceiver, verifySignature } from '../helpers/receiver.ts';
import { type MailServer, startMailServer } from '../helpers/smtp.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
let smtp: MailServer;
let receiver: Receiver;

before(async () => {
  smtp = await startMailServer();
  // Refuses the first notice, takes the next.
  receiver = await startReceiver((n) => (n === 1 ? 503 : 204));
  stack = await startStack({
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    YTCONV_OPERATOR_EMAIL: 'ops@example.org',
    YTCONV_OPERATOR_WEBHOOK: receiver.url,
    // The retry after the receiver's refusal comes within the test.
    YTCONV_EMAIL_RETRY_DELAY: '1s',
    YTCONV_PACE: 'standin=none',
    // Longer than the test: it ends when the test lifts it.
    YTCONV_PAUSE: '1h',
  });
  await stack.startWorker();
});
after(async () => {
  await stack?.close();
  await smtp?.close();
  await receiver?.close();
});

describe('a site paused', () => {
  it('is told to the operator by email and by webhook, which is tried again until its receiver takes it', async () => {
    const { site, jobs } = stack;
    site.block('ratelimit');
    const job = await jobs.create({ url: site.watchUrl('plain'), format: 'mp3' });
    await stack.waitUntil(job.id, (view) => view.waiting?.cause === 'rate_limited');

    const mail = await smtp.waitForMail('ops@example.org');
    assert.match(mail.headers.get('subject') ?? '', /^ytconv: standin paused until \d{4}-\d\d-\d\dT/);
    assert.match(mail.text, /^standin paused: The video site is limiting how much this server may fetch/);
    assert.ok(mail.text.includes(`${stack.config.service.publicUrl}/admin/health`), mail.text);

    await receiver.waitFor(2);
    const [refused, taken] = receiver.received;
    assert.deepEqual(taken?.body, refused?.body, 'the same notice, again');
    assert.equal(taken?.headers['content-type'], 'application/json');
    const key = (await webhookSettingsOf(stack.config)).signingKey;
    assert.ok(
      verifySignature(key, taken?.headers['ytconv-signature'], taken?.raw ?? ''),
      'signed like the jobs’ webhooks',
    );
    const notice = (taken?.body ?? {}) as Record<string, string>;
    assert.equal(notice.event, 'site_paused');
    assert.equal(notice.site, 'standin');
    assert.equal(notice.cause, 'rate_limited');
    assert.ok(Date.parse(notice.until ?? '') > Date.now() + 30 * 60_000, 'until the pause ends');
    assert.equal(notice.message, mail.text.split(/\r?\n/)[0]);

    site.block(null);
    await resumeSite(stack.services, 'standin');
    await stack.waitFor(job.id, 'done');
    assert.equal(receiver.received.length, 2, 'one notice, delivered once after one refusal');
    assert.equal(smtp.mails.length, 1);
  });
});
