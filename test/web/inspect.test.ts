/**
 * `GET /api/inspect`: a quick look at a link through the real service (its door checks, yt-dlp
 * and the stand-in video site): a playlist's entries with positions, titles and lengths, a single
 * video, refusals with the codes a submission of the same link gets, and the per-client limit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../src/pipeline/types.ts';
import { jobsApiOf } from '../../src/services.ts';
import { buildApp } from '../../src/web/app.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
let app: FastifyInstance;

before(async () => {
  stack = await startStack();
  app = await appWith({});
});
after(async () => {
  await app.close();
  await stack.close();
});

/** The app over the stack's service, its engine changed by `engine`, with this limit on looks. */
function appWith(engine: Partial<Engine>, inspectRate: { max: number; windowSec: number } | null = null) {
  const config = { ...stack.config, engine: { ...stack.config.engine, ...engine } };
  const jobs = jobsApiOf(config, stack.services, { emit: () => {}, on: () => () => {}, close: async () => {} });
  return buildApp({ jobs, maxUploadBytes: 1000, uploadDir: `${stack.services.storage.root}/in`, inspectRate });
}

const inspect = (server: FastifyInstance, url: string, items?: string) =>
  server.inject({ url: '/api/inspect', query: { url, ...(items !== undefined && { items }) } });

describe('GET /api/inspect', () => {
  it('lists a playlist’s entries by position, with their titles and lengths, all chosen', async () => {
    const res = await inspect(app, stack.site.playlistUrl('mix'));
    assert.equal(res.statusCode, 200, res.body);
    const { video } = stack.site;
    assert.deepEqual(res.json(), {
      kind: 'playlist',
      title: 'Stand-in Mix',
      count: 3,
      entries: [
        { position: 1, title: 'Test Artist - Sine Song', duration: video('basic').duration, chosen: true },
        { position: 2, title: 'Plain Tone Video', duration: video('plain').duration, chosen: true },
        { position: 3, title: 'Second Tone', duration: video('second').duration, chosen: true },
      ],
    });
  });

  it('marks the entries a selection picks, read as a job reads it', async () => {
    const res = await inspect(app, stack.site.playlistUrl('mix'), '-2:');
    assert.deepEqual(
      res.json().entries.map((e: { chosen: boolean }) => e.chosen),
      [false, true, true],
    );
  });

  it('gives a single video’s title and length', async () => {
    const res = await inspect(app, stack.site.watchUrl('plain'));
    assert.deepEqual(res.json(), { kind: 'media', title: 'Plain Tone Video', duration: 6 });
  });

  it('refuses a selection it cannot read, naming the field', async () => {
    const res = await inspect(app, stack.site.playlistUrl('mix'), '1-3;7');
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'invalid_option');
    assert.equal(res.json().error.field, 'items');
  });

  it('refuses a playlist longer than the server’s limit, as a conversion would', async () => {
    const server = await appWith({ limits: { ...stack.config.engine.limits, maxPlaylistEntries: 2 } });
    try {
      const res = await inspect(server, stack.site.playlistUrl('mix'));
      assert.equal(res.statusCode, 413, res.body);
      assert.equal(res.json().error.code, 'too_large');
    } finally {
      await server.close();
    }
  });
});

describe('a refused link', () => {
  const cases: [string, Engine['policy'], () => string, string][] = [
    ['not a link', { allowedSites: '*', allowPrivateAddresses: true }, () => 'ftp://not-a-page', 'invalid_url'],
    [
      'a site not allowed',
      { allowedSites: ['youtube'], allowPrivateAddresses: true },
      () => stack.site.playlistUrl('mix'),
      'unsupported_site',
    ],
    [
      'a private address',
      { allowedSites: '*', allowPrivateAddresses: false },
      () => stack.site.playlistUrl('mix'),
      'forbidden_address',
    ],
  ];
  for (const [what, policy, url, code] of cases) {
    it(`is refused as a submission is: ${what} (${code})`, async () => {
      const server = await appWith({ policy });
      try {
        const looked = await inspect(server, url());
        const submitted = await server.inject({ method: 'POST', url: '/api/jobs', payload: { url: url() } });
        assert.equal(looked.json().error.code, code);
        assert.equal(looked.statusCode, submitted.statusCode);
        assert.deepEqual(looked.json(), submitted.json());
      } finally {
        await server.close();
      }
    });
  }
});

describe('the limit on looks', () => {
  it('answers 429 too_many_requests past it, with Retry-After, counting each client apart', async () => {
    const server = await appWith({}, { max: 2, windowSec: 60 });
    try {
      const look = (remoteAddress: string) =>
        server.inject({ url: '/api/inspect', query: { url: 'ftp://cheap-refusal' }, remoteAddress });
      assert.deepEqual([(await look('198.51.100.1')).statusCode, (await look('198.51.100.1')).statusCode], [400, 400]);
      const over = await look('198.51.100.1');
      assert.equal(over.statusCode, 429);
      assert.equal(over.json().error.code, 'too_many_requests');
      assert.match(
        over.json().error.message,
        /^Too many looks at links from your address: this server takes 2 per minute/,
      );
      assert.ok(Number(over.headers['retry-after']) > 0, `retry-after ${over.headers['retry-after']}`);
      assert.equal((await look('198.51.100.2')).statusCode, 400, 'another client is not held up');
    } finally {
      await server.close();
    }
  });
});
