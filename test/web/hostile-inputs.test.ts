/**
 * Hostile input at the door, through the API (JSON) and the page's form (multipart), against a
 * real stack with the default policy: YouTube only, no private addresses. Every case must be a
 * 4xx with a code, and together they must leave no job row, no queue message, no temp file, and
 * no request at a canary server on loopback (the door itself fetches nothing). A second stack
 * with every site allowed shows the address guard doing the refusing.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { getJob } from '../../src/db/jobs.ts';
import type { ErrorCode } from '../../src/errors.ts';
import { buildApp } from '../../src/web/app.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

const ID = 'dQw4w9WgXcQ';
const VIDEO = `https://www.youtube.com/watch?v=${ID}`;

type Outcome = [status: number, code: ErrorCode];
const INVALID_URL: Outcome = [400, 'invalid_url'];
const INVALID_OPTION: Outcome = [400, 'invalid_option'];
const UNSUPPORTED: Outcome = [422, 'unsupported_site'];
const FORBIDDEN: Outcome = [422, 'forbidden_address'];

/** Links to the canary at `host` (an authority such as `127.0.0.1:PORT`) in every private spelling. */
function privateLinks(port: number): [string, string][] {
  return [
    ['loopback', `http://127.0.0.1:${port}/`],
    ['loopback, short form', `http://127.1:${port}/`],
    ['loopback in decimal', `http://2130706433:${port}/`],
    ['loopback in hex', `http://0x7f000001:${port}/`],
    ['loopback in dotted hex', `http://0x7f.1:${port}/`],
    ['loopback in octal', `http://0177.0.0.1:${port}/`],
    ['loopback with a trailing dot', `http://127.0.0.1.:${port}/`],
    ['localhost', `http://localhost:${port}/`],
    ['LOCALHOST', `http://LOCALHOST:${port}/`],
    ['localhost with a trailing dot', `http://localhost.:${port}/`],
    ['this machine’s name, which resolves to loopback', `http://${hostname()}:${port}/`],
    ['IPv6 loopback', `http://[::1]:${port}/`],
    ['IPv4-mapped IPv6', `http://[::ffff:127.0.0.1]:${port}/`],
    ['IPv4-mapped IPv6 in hex', `http://[::ffff:7f00:1]:${port}/`],
    ['IPv4-compatible IPv6', `http://[::127.0.0.1]:${port}/`],
    ['NAT64', `http://[64:ff9b::7f00:1]:${port}/`],
    ['6to4', `http://[2002:7f00:1::]:${port}/`],
    ['the unspecified address', `http://0.0.0.0:${port}/`],
    ['YouTube as userinfo before loopback', `https://www.youtube.com@127.0.0.1:${port}/`],
    ['YouTube with a port as userinfo', `https://www.youtube.com:443@127.0.0.1:${port}/watch?v=${ID}`],
    ['cloud metadata by address', 'http://169.254.169.254/latest/meta-data/'],
    ['a private network', 'http://10.0.0.1/'],
    ['a home network', 'http://192.168.1.1/'],
  ];
}

function jsonCases(port: number): [string, InjectOptions, Outcome][] {
  const json = (body: unknown): InjectOptions => ({ payload: body as object });
  const raw = (body: string, type = 'application/json'): InjectOptions => ({
    payload: body,
    headers: { 'content-type': type },
  });
  const withUrl = (fields: object) => json({ url: VIDEO, ...fields });
  return [
    ...privateLinks(port).map(([what, url]): [string, InjectOptions, Outcome] => [what, json({ url }), UNSUPPORTED]),
    ['cloud metadata by name', json({ url: 'http://metadata.google.internal/computeMetadata/v1/' }), UNSUPPORTED],
    ['a wildcard DNS name for loopback', json({ url: `http://127.0.0.1.nip.io:${port}/` }), UNSUPPORTED],
    ['a Cyrillic look-alike of youtube.com', json({ url: `https://www.yоutube.com/watch?v=${ID}` }), UNSUPPORTED],
    ['a punycode look-alike', json({ url: `https://xn--yutube-wqf.com/watch?v=${ID}` }), UNSUPPORTED],
    ['youtube.com as a subdomain', json({ url: `https://youtube.com.evil.example/watch?v=${ID}` }), UNSUPPORTED],
    ['youtube.com in the path', json({ url: `https://evil.example/www.youtube.com/watch?v=${ID}` }), UNSUPPORTED],
    ['vimeo', json({ url: 'https://vimeo.com/76979871' }), UNSUPPORTED],
    ['soundcloud', json({ url: 'https://soundcloud.com/artist/track' }), UNSUPPORTED],
    ['a direct media link', json({ url: `http://127.0.0.1:${port}/files/tone.mp3` }), UNSUPPORTED],
    ['a watch link without an id', json({ url: 'https://www.youtube.com/watch?v=' }), INVALID_URL],
    ['an empty link', json({ url: '' }), INVALID_URL],
    ['a youtu.be link without an id', json({ url: 'https://youtu.be/' }), INVALID_URL],
    ['the YouTube home page', json({ url: 'https://www.youtube.com/' }), INVALID_URL],
    ['a YouTube search', json({ url: 'https://www.youtube.com/results?search_query=x' }), INVALID_URL],
    ['CR LF in the link', json({ url: `${VIDEO}\r\nX-Injected: 1` }), INVALID_URL],
    ['an encoded CR LF in the video id', json({ url: `${VIDEO}%0d%0aX-Injected:%201` }), INVALID_URL],
    ['NUL in the link', json({ url: `${VIDEO}\u0000` }), INVALID_URL],
    ['a tab inside the host', json({ url: `https://www.you\ttube.com/watch?v=${ID}` }), INVALID_URL],
    ['javascript:', json({ url: 'javascript:alert(1)' }), INVALID_URL],
    ['file:', json({ url: 'file:///etc/passwd' }), INVALID_URL],
    ['gopher: to loopback', json({ url: `gopher://127.0.0.1:${port}/_GET` }), INVALID_URL],
    ['a link over 2048 characters', json({ url: `${VIDEO}&x=${'a'.repeat(3000)}` }), INVALID_OPTION],
    ['a 100 kB link', json({ url: `${VIDEO}&x=${'a'.repeat(100_000)}` }), [413, 'request_too_large']],
    ['an array as the link', json({ url: [VIDEO] }), INVALID_OPTION],
    ['an object as the link', json({ url: { href: VIDEO } }), INVALID_OPTION],
    ['null as the link', json({ url: null }), INVALID_OPTION],
    ['true as a start time', withUrl({ start: true }), INVALID_OPTION],
    ['a negative start time', withUrl({ start: -5 }), INVALID_OPTION],
    ['NaN as a start time', withUrl({ start: 'NaN' }), INVALID_OPTION],
    ['Infinity as an end time', withUrl({ end: 'Infinity' }), INVALID_OPTION],
    ['a negative end time', withUrl({ end: '-1:00' }), INVALID_OPTION],
    ['a start after the end', withUrl({ start: 100, end: 50 }), INVALID_OPTION],
    ['a start equal to the end', withUrl({ start: '0:10', end: 10 }), INVALID_OPTION],
    ['a huge quality string', withUrl({ quality: 'k'.repeat(5000) }), INVALID_OPTION],
    ['an absurd bitrate', withUrl({ quality: '99999k' }), INVALID_OPTION],
    ['an unknown format', withUrl({ format: 'exe' }), INVALID_OPTION],
    ['an array as the format', withUrl({ format: ['mp3'] }), INVALID_OPTION],
    ['text as a flag', withUrl({ split_chapters: 'yes' }), INVALID_OPTION],
    ['an email with a Bcc header', withUrl({ email: 'a@b.c\r\nBcc: x@y.z' }), INVALID_OPTION],
    ['an email with a bare line feed', withUrl({ email: 'a@b.c\nbcc:x@y.z' }), INVALID_OPTION],
    ['an email of 300 characters', withUrl({ email: `${'x'.repeat(300)}@example.org` }), INVALID_OPTION],
    ['a webhook at loopback', withUrl({ webhook_url: `http://127.0.0.1:${port}/hook` }), FORBIDDEN],
    ['a webhook at IPv6 loopback', withUrl({ webhook_url: `http://[::1]:${port}/hook` }), FORBIDDEN],
    ['a webhook at localhost', withUrl({ webhook_url: `http://localhost:${port}/hook` }), FORBIDDEN],
    ['a webhook at a name under localhost', withUrl({ webhook_url: `http://hooks.localhost:${port}/` }), FORBIDDEN],
    [
      'a webhook at this machine’s name, which resolves to loopback',
      withUrl({ webhook_url: `http://${hostname()}:${port}/hook` }),
      FORBIDDEN,
    ],
    ['a webhook at cloud metadata', withUrl({ webhook_url: 'http://169.254.169.254/latest/meta-data/' }), FORBIDDEN],
    ['a webhook on a private network', withUrl({ webhook_url: 'http://10.0.0.1/hook' }), FORBIDDEN],
    ['an ftp: webhook', withUrl({ webhook_url: 'ftp://hooks.example.org/x' }), INVALID_OPTION],
    ['a webhook that is no URL', withUrl({ webhook_url: 'hooks.example.org/x' }), INVALID_OPTION],
    [
      'a webhook over 2048 characters',
      withUrl({ webhook_url: `https://h.example/${'a'.repeat(3000)}` }),
      INVALID_OPTION,
    ],
    ['an unknown field', withUrl({ admin: true }), INVALID_OPTION],
    ['a __proto__ key', raw(`{"url":"${VIDEO}","__proto__":{"format":"exe"}}`), INVALID_OPTION],
    ['a constructor.prototype key', raw(`{"url":"${VIDEO}","constructor":{"prototype":{"x":1}}}`), INVALID_OPTION],
    ['an array body', json([VIDEO]), INVALID_OPTION],
    ['a null body', raw('null'), INVALID_OPTION],
    ['malformed JSON', raw('{"url":'), INVALID_OPTION],
    ['no body at all', {}, INVALID_OPTION],
    ['a text body', raw(VIDEO, 'text/plain'), [415, 'unsupported_media_type']],
  ];
}

const FILE = new Blob([new Uint8Array(64)]);

function formCases(port: number): [string, () => FormData | string, Outcome][] {
  const form = (fields: Record<string, string>, file?: [name: string, blob?: Blob]) => () => {
    const data = new FormData();
    for (const [name, value] of Object.entries(fields)) data.set(name, value);
    if (file) data.set('file', file[1] ?? FILE, file[0]);
    return data;
  };
  const BOUNDARY = 'hostile';
  return [
    ['a loopback link', form({ url: `http://127.0.0.1:${port}/` }), UNSUPPORTED],
    ['YouTube as userinfo before loopback', form({ url: `https://www.youtube.com@127.0.0.1:${port}/` }), UNSUPPORTED],
    ['CR LF in the link', form({ url: `${VIDEO}\r\nX-Injected: 1` }), INVALID_URL],
    ['a 100 kB link', form({ url: `${VIDEO}&x=${'a'.repeat(100_000)}` }), INVALID_OPTION],
    [
      'a field named __proto__',
      form(
        Object.fromEntries([
          ['url', VIDEO],
          ['__proto__', 'x'],
        ]),
      ),
      INVALID_OPTION,
    ],
    ['a field named constructor', form({ url: VIDEO, constructor: 'x' }), INVALID_OPTION],
    ['a flag that is neither on nor off', form({ url: VIDEO, normalize: 'yes' }), INVALID_OPTION],
    ['an email with a Bcc header', form({ url: VIDEO, email: 'a@b.c\r\nBcc: x@y.z' }), INVALID_OPTION],
    ['a webhook at loopback', form({ url: VIDEO, webhook_url: `http://127.0.0.1:${port}/` }), FORBIDDEN],
    ['a webhook at localhost', form({ url: VIDEO, webhook_url: `http://localhost:${port}/` }), FORBIDDEN],
    ['a negative start time', form({ url: VIDEO, start: '-1' }), INVALID_OPTION],
    ['a start after the end', form({ url: VIDEO, start: '2:00', end: '1:00' }), INVALID_OPTION],
    ['an upload named ../../etc/passwd', form({}, ['../../etc/passwd']), INVALID_OPTION],
    ['an upload named ..\\..\\win.ini', form({}, ['..\\..\\win.ini']), INVALID_OPTION],
    ['an upload name with NUL', form({}, ['song\u0000.mp3']), INVALID_OPTION],
    ['an upload name with a tab', form({}, ['song\tx.mp3']), INVALID_OPTION],
    ['an upload name of 10 kB', form({}, [`${'n'.repeat(10_000)}.mp3`]), INVALID_OPTION],
    ['an upload name with a right-to-left override', form({}, ['song\u202Eexe.mp3']), INVALID_OPTION],
    // FormData escapes CR LF as %0D%0A, which the door decodes: the control is before the slash.
    ['an upload name with CR LF before a slash', form({}, ['a\r\nContent-Type: text/html.mp3']), INVALID_OPTION],
    [
      'an upload over the size limit',
      form({}, ['big.wav', new Blob([new Uint8Array(300_000)])]),
      [413, 'file_too_large'],
    ],
    [
      'a form cut before its closing boundary',
      () => `--${BOUNDARY}\r\ncontent-disposition: form-data; name="url"\r\n\r\n${VIDEO}\r\n`,
      INVALID_OPTION,
    ],
  ];
}

async function startCanary(): Promise<{ server: Server; port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => res.end('canary'));
  server.on('connection', () => {
    hits++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, hits: () => hits };
}

interface Door {
  stack: Stack;
  app: FastifyInstance;
  uploadDir: string;
}

async function openDoor(env: NodeJS.ProcessEnv): Promise<Door> {
  const stack = await startStack(env);
  const uploadDir = join(stack.services.storage.root, 'incoming');
  const app = await buildApp({ jobs: stack.jobs, maxUploadBytes: 200_000, uploadDir });
  return { stack, app, uploadDir };
}

async function closeDoor(door: Door | undefined): Promise<void> {
  await door?.app.close();
  await door?.stack.close();
}

/** Job rows, queue messages and files left behind: all must stay zero. */
async function leftBehind({ stack, uploadDir }: Door) {
  const row = await stack.services.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const counts = await Promise.all(
    [stack.services.queues.convert, stack.services.queues.service].map((q) => q.getJobCounts()),
  );
  const messages = counts.flatMap((c) => Object.values(c)).reduce((a, b) => a + b, 0);
  return { rows: Number(row.n), messages, uploads: (await readdir(uploadDir).catch(() => [])).length };
}

async function multipartOf(body: FormData | string): Promise<InjectOptions> {
  if (typeof body === 'string') {
    return { payload: body, headers: { 'content-type': 'multipart/form-data; boundary=hostile' } };
  }
  const request = new Request('http://localhost/', { method: 'POST', body });
  return {
    payload: Buffer.from(await request.arrayBuffer()),
    headers: { 'content-type': request.headers.get('content-type') ?? '' },
  };
}

function assertRefused(res: { statusCode: number; body: string }, [status, code]: Outcome): void {
  assert.equal(res.statusCode, status, res.body);
  const error = JSON.parse(res.body).error as { code: string; message: string };
  assert.equal(error.code, code, error.message);
  assert.ok(error.message.length > 0);
}

describe('with the default policy: YouTube only, no private addresses', () => {
  let door: Door;
  let canary: Awaited<ReturnType<typeof startCanary>>;
  before(async () => {
    canary = await startCanary();
    door = await openDoor({ YTCONV_ALLOWED_SITES: 'youtube', YTCONV_ALLOW_PRIVATE_ADDRESSES: 'no' });
  });
  after(async () => {
    await closeDoor(door);
    canary?.server.close();
  });

  // The port is known only once the canary listens; cases are named with a placeholder port.
  const named = { json: jsonCases(0), form: formCases(0) };
  it('has at least 60 hostile inputs', () => {
    assert.ok(named.json.length + named.form.length >= 60, `${named.json.length + named.form.length}`);
  });

  named.json.forEach(([what], i) => {
    it(`refuses as JSON: ${what}`, async () => {
      const [, options, outcome] = jsonCases(canary.port)[i] ?? assert.fail();
      assertRefused(await door.app.inject({ method: 'POST', url: '/api/jobs', ...options }), outcome);
    });
  });

  named.form.forEach(([what], i) => {
    it(`refuses as a form: ${what}`, async () => {
      const [, body, outcome] = formCases(canary.port)[i] ?? assert.fail();
      assertRefused(
        await door.app.inject({ method: 'POST', url: '/api/jobs', ...(await multipartOf(body())) }),
        outcome,
      );
    });
  });

  it('left no job row, no queue message, no upload, and nothing reached the canary', async () => {
    assert.deepEqual(await leftBehind(door), { rows: 0, messages: 0, uploads: 0 });
    assert.equal(canary.hits(), 0);
  });

  it('names the webhook_url field when it refuses a webhook, for one link and for several', async () => {
    const webhook_url = 'http://192.168.1.1/hook';
    for (const [url, payload] of [
      ['/api/jobs', { url: VIDEO, webhook_url }],
      ['/api/jobs/batch', { urls: [VIDEO, `youtu.be/${ID}`], webhook_url }],
    ] as const) {
      const res = await door.app.inject({ method: 'POST', url, payload });
      assert.equal(res.statusCode, 422, res.body);
      assert.deepEqual(
        { ...res.json().error, message: undefined },
        { code: 'forbidden_address', field: 'webhook_url', message: undefined },
      );
    }
    assert.deepEqual(await leftBehind(door), { rows: 0, messages: 0, uploads: 0 });
  });

  it('keeps a webhook at a public address on the job', async () => {
    const webhook_url = 'https://hooks.example.org/ytconv?token=x';
    const res = await door.app.inject({ method: 'POST', url: '/api/jobs', payload: { url: VIDEO, webhook_url } });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal((await getJob(door.stack.services.db, res.json().id))?.webhook_url, webhook_url);
    await door.stack.jobs.cancel(res.json().id);
  });

  it('still takes a plain YouTube link (this stack can create jobs)', async () => {
    const res = await door.app.inject({ method: 'POST', url: '/api/jobs', payload: { url: `youtu.be/${ID}` } });
    assert.equal(res.statusCode, 202, res.body);
    await door.stack.jobs.cancel(res.json().id);
  });
});

describe('with every site allowed, the address guard refuses', () => {
  let door: Door;
  let canary: Awaited<ReturnType<typeof startCanary>>;
  before(async () => {
    canary = await startCanary();
    door = await openDoor({ YTCONV_ALLOWED_SITES: '*', YTCONV_ALLOW_PRIVATE_ADDRESSES: 'no' });
  });
  after(async () => {
    await closeDoor(door);
    canary?.server.close();
  });

  privateLinks(0).forEach(([what], i) => {
    it(what, async () => {
      const [, url] = privateLinks(canary.port)[i] ?? assert.fail();
      assertRefused(await door.app.inject({ method: 'POST', url: '/api/jobs', payload: { url } }), FORBIDDEN);
    });
  });

  it('left no job row, no queue message, and nothing reached the canary', async () => {
    assert.deepEqual(await leftBehind(door), { rows: 0, messages: 0, uploads: 0 });
    assert.equal(canary.hits(), 0);
  });
});
