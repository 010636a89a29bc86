/**
 * The app's own behaviour, where no job is involved: refusals before the service is called (a
 * JobsApi that fails the test when touched proves no job was created), unknown routes, security
 * headers, pages and the OpenAPI document.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { JobsApi, NewJob } from '../../src/jobs/types.ts';
import { buildApp } from '../../src/web/app.ts';
import { tempDir } from '../helpers/engine.ts';
import { jobView } from '../helpers/views.ts';

const untouchable: JobsApi = {
  create: () => assert.fail('create must not be called'),
  createMany: () => assert.fail('createMany must not be called'),
  get: () => assert.fail('get must not be called'),
  list: () => assert.fail('list must not be called'),
  cancel: () => assert.fail('cancel must not be called'),
  inspect: () => assert.fail('inspect must not be called'),
  watch: () => assert.fail('watch must not be called'),
  downloads: () => assert.fail('downloads must not be called'),
  downloadsOfMany: () => assert.fail('downloadsOfMany must not be called'),
};

let app: FastifyInstance;
let uploadDir: string;

before(async () => {
  uploadDir = await tempDir('ytconv-web-uploads-');
  app = await buildApp({ jobs: untouchable, maxUploadBytes: 1000, uploadDir });
});
after(() => app.close());

async function refusal(payload: unknown, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'POST', url: '/api/jobs', payload: payload as string, headers });
  return { status: res.statusCode, error: res.json().error as { code: string; message: string } };
}

describe('POST /api/jobs refuses bad requests before creating a job', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['no url', { format: 'mp3' }, 'invalid_option', /"url" is required/],
    [
      'an unknown field',
      { url: 'https://youtu.be/x', split_chapter: true },
      'invalid_option',
      /Unknown field "split_chapter"/,
    ],
    [
      'a bad format',
      { url: 'https://youtu.be/x', format: 'aac' },
      'invalid_option',
      /"format" must be one of: mp3, m4a/,
    ],
    [
      'a bad email',
      { url: 'https://youtu.be/x', email: 'not-an-address' },
      'invalid_option',
      /"email" must be a valid email/,
    ],
    [
      'a non-boolean flag',
      { url: 'https://youtu.be/x', normalize: 'loud' },
      'invalid_option',
      /"normalize" must be true or false\./,
    ],
    ['an array body', [], 'invalid_option', /must be an object/],
    [
      'a boolean as a time',
      { url: 'https://youtu.be/x', start: true },
      'invalid_option',
      /^"start" must be a number or text\.$/,
    ],
    ['an array as the url', { url: ['https://youtu.be/x'] }, 'invalid_option', /"url" must be text/],
    ['a number as the url', { url: 7 }, 'invalid_option', /"url" must be text/],
    ['text as a flag', { url: 'https://youtu.be/x', normalize: 'true' }, 'invalid_option', /"normalize" must be/],
    ['a number as a flag', { url: 'https://youtu.be/x', split_chapters: 1 }, 'invalid_option', /"split_chapters"/],
    ['an object as the email', { url: 'https://youtu.be/x', email: {} }, 'invalid_option', /"email" must be/],
  ];
  for (const [what, body, code, message] of cases) {
    it(`with ${what}`, async () => {
      const { status, error } = await refusal(body);
      assert.equal(status, 400);
      assert.equal(error.code, code);
      assert.match(error.message, message);
    });
  }

  it('with malformed JSON', async () => {
    const { status, error } = await refusal('{"url":', { 'content-type': 'application/json' });
    assert.equal(status, 400);
    assert.equal(error.code, 'invalid_option');
  });

  it('with no body', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/jobs' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_option');
  });

  it('with a text body, saying what to send instead', async () => {
    const { status, error } = await refusal('https://youtu.be/x', { 'content-type': 'text/plain' });
    assert.equal(status, 415);
    assert.equal(error.code, 'unsupported_media_type');
    assert.match(error.message, /as JSON .* or as a multipart form/);
  });

  it('with a prototype key, in our words rather than the parser’s', async () => {
    const { status, error } = await refusal('{"url":"https://youtu.be/dQw4w9WgXcQ","__proto__":{"x":1}}', {
      'content-type': 'application/json',
    });
    assert.equal(status, 400);
    assert.equal(error.code, 'invalid_option');
    assert.match(error.message, /not valid JSON, or uses a key that is not allowed/);
  });

  it('with a malformed address, in the same shape as every refusal', async () => {
    const res = await app.inject({ url: '/api/jobs/%' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(res.json(), {
      error: { code: 'invalid_option', message: 'The address of this request is malformed (a bad %-escape).' },
    });
  });

  it('with headers too large for the HTTP parser, in the same shape', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 431 /);
    assert.match(answer, /\{"error":\{"code":"invalid_option","message":"The request headers are too large\."\}\}$/);
  });

  it('with a JSON body over 16 KB, as request_too_large', async () => {
    const { status, error } = await refusal({ url: `https://example.org/${'x'.repeat(20_000)}` });
    assert.equal(status, 413);
    assert.equal(error.code, 'request_too_large');
    assert.match(error.message, /multipart upload/);
  });

  const BOUNDARY = 'ytconv-test-boundary';
  const formHead = `--${BOUNDARY}\r\ncontent-disposition: form-data; name="format"\r\n\r\nmp3\r\n`;
  const MALFORMED: [string, string, string][] = [
    ['cut before its closing boundary', `multipart/form-data; boundary=${BOUNDARY}`, formHead],
    [
      'cut inside a file',
      `multipart/form-data; boundary=${BOUNDARY}`,
      `${formHead}--${BOUNDARY}\r\ncontent-disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF`,
    ],
    ['without a boundary', 'multipart/form-data', formHead],
    ['with another boundary than announced', 'multipart/form-data; boundary=other', `${formHead}--${BOUNDARY}--\r\n`],
    ['that is not multipart at all', `multipart/form-data; boundary=${BOUNDARY}`, 'garbage'],
  ];
  for (const [what, contentType, body] of MALFORMED) {
    it(`with a multipart body ${what}, as a 400 leaving no temp file`, async () => {
      const { status, error } = await refusal(body, { 'content-type': contentType });
      assert.equal(status, 400);
      assert.equal(error.code, 'invalid_option');
      assert.deepEqual(await readdir(uploadDir), []);
    });
  }

  it('with a flag in a form that is neither on, true nor false', async () => {
    const form = new FormData();
    form.set('url', 'https://youtu.be/dQw4w9WgXcQ');
    form.set('normalize', 'yes');
    const { status, error } = await refusal(...(await multipart(form)));
    assert.equal(status, 400);
    assert.match(error.message, /"normalize" must be true or false/);
  });

  it('with an upload over the size limit, leaving no temp file', async () => {
    const form = new FormData();
    form.set('format', 'mp3');
    form.set('file', new Blob([new Uint8Array(50_000)]), 'big.wav');
    const { status, error } = await refusal(...(await multipart(form)));
    assert.equal(status, 413);
    assert.equal(error.code, 'file_too_large');
    assert.match(error.message, /1000 bytes/);
    assert.deepEqual(await readdir(uploadDir), []);
  });

  it('with an invalid form field after the file, leaving no temp file', async () => {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(10)]), 'small.wav');
    form.set('email', 'nope');
    const { status, error } = await refusal(...(await multipart(form)));
    assert.equal(status, 400);
    assert.match(error.message, /"email" must be a valid email/);
    assert.deepEqual(await readdir(uploadDir), []);
  });

  it('with two files, leaving no temp file', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(10)]), 'one.wav');
    form.append('file', new Blob([new Uint8Array(10)]), 'two.wav');
    const { status, error } = await refusal(...(await multipart(form)));
    assert.equal(status, 400);
    assert.match(error.message, /one file per job/);
    assert.deepEqual(await readdir(uploadDir), []);
  });

  it('with a file under another field name', async () => {
    const form = new FormData();
    form.set('media', new Blob([new Uint8Array(10)]), 'small.wav');
    const { status, error } = await refusal(...(await multipart(form)));
    assert.equal(status, 400);
    assert.match(error.message, /Unexpected file field "media"/);
    assert.deepEqual(await readdir(uploadDir), []);
  });
});

/** An app whose service accepts every request, keeping what it was asked in `received`. */
function recordingApp(received: NewJob[]): Promise<FastifyInstance> {
  const create = async (request: NewJob) => {
    received.push(request);
    return jobView();
  };
  return buildApp({ jobs: { ...untouchable, create }, maxUploadBytes: 1000, uploadDir });
}

describe('form fields', () => {
  it('are converted explicitly: a checkbox "on" and "true" are true, "false" is false, times stay text', async () => {
    const received: NewJob[] = [];
    const recording = await recordingApp(received);
    const sent: Record<string, string>[] = [
      { url: 'https://youtu.be/dQw4w9WgXcQ', normalize: 'on', split_chapters: 'false', start: '1:30' },
      { url: 'https://youtu.be/dQw4w9WgXcQ', normalize: 'false', split_chapters: 'true', end: '90' },
    ];
    for (const fields of sent) {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.set(name, value);
      const [payload, headers] = await multipart(form);
      const res = await recording.inject({ method: 'POST', url: '/api/jobs', payload, headers });
      assert.equal(res.statusCode, 202, res.body);
    }
    await recording.close();
    assert.deepEqual(received, [
      { url: 'https://youtu.be/dQw4w9WgXcQ', normalize: true, split_chapters: false, start: '1:30' },
      { url: 'https://youtu.be/dQw4w9WgXcQ', normalize: false, split_chapters: true, end: '90' },
    ]);
  });
});

describe('uploaded file names', () => {
  it('come out as the browser had them: quotes, non-ASCII and percent signs intact', async () => {
    const received: NewJob[] = [];
    const recording = await recordingApp(received);
    // FormData escapes `"` as %22 in the part header, as browsers do; a literal `%2` stays as it is.
    const name = 'Say "Hi" — Café 100% %2.wav';
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(10)]), name);
    const [payload, headers] = await multipart(form);
    assert.match(payload.toString('latin1'), /filename="Say %22Hi%22/);
    const res = await recording.inject({ method: 'POST', url: '/api/jobs', payload, headers });
    await recording.close();
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(received[0]?.upload?.filename, name);
    // The stand-in service took the upload over, so it is this test's to remove.
    await rm(received[0].upload.path);
  });

  it('refuse a line break, which browsers send as %0A', async () => {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(10)]), 'two\nlines.wav');
    const { status, error } = await refusal(...(await multipart(form)));
    assert.equal(status, 400);
    assert.match(error.message, /control or text-direction characters/);
    assert.deepEqual(await readdir(uploadDir), []);
  });
});

describe('errors and headers', () => {
  it('answers unknown API routes with not_found JSON and other paths with plain text', async () => {
    const api = await app.inject({ url: '/api/nothing' });
    assert.equal(api.statusCode, 404);
    assert.equal(api.json().error.code, 'not_found');
    const page = await app.inject({ url: '/nothing' });
    assert.equal(page.statusCode, 404);
    assert.match(String(page.headers['content-type']), /^text\/plain/);
  });

  it('sends the security headers on every answer', async () => {
    for (const url of ['/healthz', '/api/nothing', '/api/openapi.json', '/', '/assets/app.css']) {
      const res = await app.inject({ url });
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
      assert.equal(res.headers['x-frame-options'], 'DENY', url);
      assert.match(String(res.headers['strict-transport-security']), /^max-age=\d+/, url);
      assert.equal(res.headers['cross-origin-opener-policy'], 'same-origin', url);
      assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin', url);
    }
  });

  it('hides the details of unexpected failures', async () => {
    const failing = await buildApp({
      jobs: { ...untouchable, get: () => Promise.reject(new Error('secret database detail')) },
      maxUploadBytes: 1000,
      uploadDir,
    });
    const res = await failing.inject({ url: '/api/jobs/abc' });
    await failing.close();
    assert.equal(res.statusCode, 500);
    assert.equal(res.json().error.code, 'internal');
    assert.doesNotMatch(res.body, /secret|at .*\.ts/);
  });

  it('answers the health check', async () => {
    const res = await app.inject({ url: '/healthz' });
    assert.deepEqual(res.json(), { ok: true });
  });
});

describe('the OpenAPI document', () => {
  it('lists every API path and the JobView component', async () => {
    const res = await app.inject({ url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.match(doc.openapi, /^3\./);
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/api/inspect',
      '/api/jobs',
      '/api/jobs/batch',
      '/api/jobs/zip',
      '/api/jobs/{id}',
      '/api/jobs/{id}/cover/{version}',
      '/api/jobs/{id}/events',
      '/api/jobs/{id}/files/{name}',
      '/api/jobs/{id}/zip',
      '/api/options',
    ]);
    assert.ok(doc.paths['/api/jobs'].post.requestBody.content['multipart/form-data']);
    assert.equal(
      doc.paths['/api/jobs/{id}'].get.responses['200'].content['application/json'].schema.$ref,
      '#/components/schemas/JobView',
    );
    assert.ok(doc.paths['/api/jobs/{id}/files/{name}'].head);
    const preview = doc.paths['/api/inspect'].get.responses['200'].content['application/json'].schema;
    assert.deepEqual(
      preview.oneOf.map((shape: { properties: { kind: { enum: string[] } } }) => shape.properties.kind.enum),
      [['media'], ['playlist']],
    );
    assert.ok(doc.paths['/api/jobs/{id}'].delete);
    assert.deepEqual(Object.keys(doc.components.schemas).sort(), ['ApiError', 'Health', 'JobFile', 'JobView']);
  });
});

describe('pages', () => {
  const hasPage = existsSync(new URL('../../src/web/public/index.html', import.meta.url));

  for (const url of ['/', '/jobs/some-job-id']) {
    it(`serves the page at ${url} with a strict CSP`, { skip: !hasPage && 'no index.html yet' }, async () => {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(
        res.headers['content-security-policy'],
        "default-src 'self';img-src 'self' data:;style-src 'self';script-src 'self';connect-src 'self';" +
          "media-src 'self' blob:;object-src 'none';base-uri 'none';form-action 'self';frame-ancestors 'none'",
      );
      assert.equal(res.headers['cache-control'], 'no-cache');
    });
  }

  it('preloads every module the page imports, found from the modules themselves, and answers 304 when unchanged', async () => {
    const res = await app.inject({ url: '/' });
    const preloaded = [...res.body.matchAll(/<link rel="modulepreload" href="\/assets\/([\w-]+\.js)">/g)].map(
      (m) => m[1],
    );
    const publicDir = fileURLToPath(new URL('../../src/web/public/', import.meta.url));
    const modules = (await readdir(publicDir)).filter((name) => name.endsWith('.js') && name !== 'app.js');
    // Every script in the folder is one of the page's modules.
    assert.deepEqual(preloaded.toSorted(), modules.toSorted(), 'every module, each once');
    for (const name of preloaded) assert.equal((await app.inject({ url: `/assets/${name}` })).statusCode, 200, name);
    const again = await app.inject({ url: '/jobs/x', headers: { 'if-none-match': String(res.headers.etag) } });
    assert.equal(again.statusCode, 304);
    const head = await app.inject({ method: 'HEAD', url: '/' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
  });

  it('serves assets with revalidation and refuses paths outside the folder', async () => {
    const publicDir = new URL('../../src/web/public/', import.meta.url);
    const assetNames = existsSync(publicDir) ? (await readdir(publicDir)).filter((n) => n !== 'index.html') : [];
    if (assetNames[0]) {
      const res = await app.inject({ url: `/assets/${assetNames[0]}` });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.ok(res.headers.etag);
    }
    const outside = await app.inject({ url: '/assets/../../app.ts' });
    assert.equal(outside.statusCode, 404);
  });
});

/** A FormData as inject arguments: the encoded body and its content type with the boundary. */
async function multipart(form: FormData): Promise<[Buffer, Record<string, string>]> {
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return [Buffer.from(await request.arrayBuffer()), { 'content-type': request.headers.get('content-type') ?? '' }];
}
