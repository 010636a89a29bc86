/**
 * Emails through the real stack: jobs posted to a `ytconv web` process, converted by a `ytconv
 * worker` process, which mails a real SMTP server on loopback. A mail server that is down delays
 * the email; it never fails the job.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Job } from 'bullmq';
import { audioOf, ffprobeBytes } from '../helpers/ffprobe.ts';
import { type Service, startService } from '../helpers/processes.ts';
import { type MailServer, startMailServer } from '../helpers/smtp.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
let service: Service;
let smtp: MailServer;

before(async () => {
  smtp = await startMailServer();
  stack = await startStack({
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    // The production 10 s would make the retry below outlast the test.
    YTCONV_EMAIL_RETRY_DELAY: '1s',
  });
  service = await startService(stack);
});
after(async () => {
  await service?.stop();
  await smtp?.close();
  await stack?.close();
});

/** Every http(s) address in a text, in order. */
function links(text: string): string[] {
  return text.match(/https?:\/\/\S+/g) ?? [];
}

describe('emails from a worker process', () => {
  it('tell that a job is done, with its page and a download link that works', async () => {
    const created = await service.create({
      url: stack.site.watchUrl('plain'),
      format: 'mp3',
      email: 'done@example.com',
    });
    const done = await service.waitFor(created.id, 'done');
    const mail = await smtp.waitForMail('done@example.com');
    assert.equal(mail.headers.get('to'), 'done@example.com');
    assert.equal(mail.headers.get('from'), 'ytconv <ytconv@localhost>');
    assert.match(mail.headers.get('subject') ?? '', /Plain Tone Video/);
    assert.match(mail.headers.get('content-type') ?? '', /^text\/plain/);
    const urls = links(mail.text);
    assert.ok(urls.includes(`${service.url}/jobs/${done.id}`), mail.text);
    const fileUrl = urls.find((url) => url.includes('/files/'));
    assert.equal(fileUrl, `${service.url}${done.files[0]?.url}`);

    const res = await fetch(fileUrl);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'audio/mpeg');
    const probed = await ffprobeBytes(new Uint8Array(await res.arrayBuffer()));
    assert.equal(audioOf(probed).codec_name, 'mp3');
    assert.ok(Math.abs(Number(probed.format.duration) - stack.site.video('plain').duration) < 0.15);
  });

  it('tell why a job failed', async () => {
    const created = await service.create({ url: stack.site.watchUrl('private'), email: 'failed@example.com' });
    const failed = await service.waitFor(created.id, 'failed');
    assert.equal(failed.error?.code, 'unavailable');
    const mail = await smtp.waitForMail('failed@example.com');
    assert.match(mail.headers.get('subject') ?? '', /failed/);
    assert.ok(mail.text.includes(`Reason: ${failed.error.message}`), mail.text);
    assert.ok(links(mail.text).includes(`${service.url}/jobs/${failed.id}`), mail.text);
  });

  it('are retried while the mail server is down, and the job still ends done', async () => {
    const port = smtp.port;
    await smtp.close();
    const created = await service.create({
      url: stack.site.watchUrl('second'),
      format: 'mp3',
      email: 'later@example.com',
    });
    await service.waitFor(created.id, 'done');
    const retry = await emailRetryOf(created.id);
    assert.match(retry.failedReason, /ECONNREFUSED/);
    assert.equal((await service.job(created.id))?.status, 'done');

    smtp = await startMailServer(port);
    const mail = await smtp.waitForMail('later@example.com');
    assert.match(mail.headers.get('subject') ?? '', /Second Tone/);
    assert.equal((await service.job(created.id))?.status, 'done');
  });
});

/** The job's email once its first try has failed and a retry is scheduled (BullMQ: delayed). */
async function emailRetryOf(jobId: string, timeoutMs = 10_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const delayed = await stack.services.queues.service.getJobs(['delayed']);
    const email = delayed.find(
      (job) => job.name === 'email' && 'jobId' in job.data && job.data.jobId === jobId && job.attemptsMade >= 1,
    );
    if (email) return email;
    if (Date.now() > deadline) throw new Error(`no email retry scheduled for job ${jobId}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
