/**
 * The webhook sender against real receivers on loopback: what a receiver gets (headers, a body
 * its own HMAC code verifies), and the address guard on a requester's URL, which refuses before
 * anything reaches the receiver, and never follows a redirect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isForbiddenAddress } from '../src/pipeline/address.ts';
import { postJson } from '../src/webhook.ts';
import { type Receiver, startReceiver, verifySignature } from './helpers/receiver.ts';

const KEY = 'a-signing-key-for-the-tests';
/** On a loopback-only machine, 127.0.0.1 plays a public receiver when a test says so. */
const loopbackPublic = (ip: string): boolean => ip !== '127.0.0.1' && isForbiddenAddress(ip);

let receiver: Receiver;
let redirecting: Receiver;

before(async () => {
  receiver = await startReceiver();
  redirecting = await startReceiver(() => [302, { location: receiver.url }]);
});
after(async () => {
  await receiver?.close();
  await redirecting?.close();
});

describe('a webhook call', () => {
  it('POSTs the JSON body, signed so that the receiver can verify it, with the delivery id', async () => {
    const body = { event: 'job.done', job: { id: 'x', title: 'Ünïcode — title' } };
    await postJson(receiver.url, body, { signingKey: KEY, deliveryId: 'delivery-1' });
    const [got] = receiver.received.splice(0);
    assert.ok(got);
    assert.equal(got.method, 'POST');
    assert.equal(got.path, '/hooks/ytconv');
    assert.deepEqual(got.body, body);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.match(got.headers['user-agent'] ?? '', /^ytconv/);
    assert.equal(got.headers['ytconv-delivery'], 'delivery-1');
    assert.ok(verifySignature(KEY, got.headers['ytconv-signature'], got.raw), 'the signature verifies');
    assert.ok(!verifySignature('another key', got.headers['ytconv-signature'], got.raw), 'only under its key');
    assert.ok(!verifySignature(KEY, got.headers['ytconv-signature'], `${got.raw} `), 'only for its body');
  });

  it('fails on any answer but 2xx, and never follows a redirect', async () => {
    await assert.rejects(postJson(redirecting.url, {}, { signingKey: KEY }), /answered HTTP 302 \(redirects/);
    assert.equal(redirecting.received.length, 1);
    assert.equal(receiver.received.length, 0, 'the redirect was not followed');
  });

  it('refuses a requester’s URL at a private address, literal or by name, before sending anything', async () => {
    const port = new URL(receiver.url).port;
    for (const url of [receiver.url, `http://localhost:${port}/hooks/ytconv`, `http://[::ffff:7f00:1]:${port}/`]) {
      await assert.rejects(
        postJson(url, {}, { signingKey: KEY, guard: { allowPrivate: false } }),
        { code: 'EFORBIDDEN_ADDRESS' },
        url,
      );
    }
    assert.equal(receiver.received.length, 0);
  });

  it('sends to a requester’s URL at an address the policy allows', async () => {
    await postJson(
      receiver.url,
      { ok: true },
      { signingKey: KEY, guard: { allowPrivate: false, isForbidden: loopbackPublic } },
    );
    assert.deepEqual(
      receiver.received.splice(0).map((r) => r.body),
      [{ ok: true }],
    );
  });
});
