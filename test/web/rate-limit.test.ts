/**
 * Submission limits on POST /api/jobs: a 429 with the draft RateLimit headers past the limit, per
 * client address (X-Forwarded-For only from a trusted proxy), counted in memory or in Redis, and
 * never in the way when Redis is down. Only jobs actually made count: a JobsApi that makes a job
 * whenever its `admit` lets it stands in for the service.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { Redis } from 'ioredis';
import type { JobsApi } from '../../src/jobs/types.ts';
import { type AppDeps, buildApp } from '../../src/web/app.ts';
import { tempDir } from '../helpers/engine.ts';
import { jobView } from '../helpers/views.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const VIEW = jobView();
const maker = new Proxy({} as JobsApi, {
  get: (_target, name) =>
    name === 'create'
      ? async (_request: unknown, admit?: () => Promise<void>) => {
          await admit?.();
          return VIEW;
        }
      : () => assert.fail(`${String(name)} must not be called`),
});
const JOB = { url: 'https://youtu.be/dQw4w9WgXcQ' };
/** Refused by the schema: never a job, so never counted. */
const BAD_JOB = { url: 'https://youtu.be/dQw4w9WgXcQ', format: 'nope' };
const RATE = { max: 3, windowSec: 60 };

let uploadDir: string;
before(async () => {
  uploadDir = await tempDir('ytconv-web-uploads-');
});

async function app(deps: Partial<AppDeps> = {}): Promise<FastifyInstance> {
  return buildApp({ jobs: maker, maxUploadBytes: 1000, uploadDir, submitRate: RATE, ...deps });
}

function submit(server: FastifyInstance, extra: Partial<InjectOptions> = {}) {
  return server.inject({ method: 'POST', url: '/api/jobs', payload: JOB, ...extra });
}

/** The statuses of `count` submissions in a row. */
async function statuses(server: FastifyInstance, count: number, extra: Partial<InjectOptions> = {}) {
  const seen: number[] = [];
  for (let i = 0; i < count; i++) seen.push((await submit(server, extra)).statusCode);
  return seen;
}

describe('in memory', () => {
  it('answers 429 too_many_requests past the limit, with Retry-After and the RateLimit headers', async () => {
    const server = await app();
    assert.deepEqual(await statuses(server, RATE.max), [202, 202, 202]);
    const res = await submit(server);
    await server.close();
    assert.equal(res.statusCode, 429);
    assert.equal(res.json().error.code, 'too_many_requests');
    assert.match(res.json().error.message, /3 per minute\. Try again in \d+ (seconds|minute)/);
    assert.equal(res.headers['ratelimit-limit'], '3');
    assert.equal(res.headers['ratelimit-remaining'], '0');
    const reset = Number(res.headers['ratelimit-reset']);
    assert.ok(reset > 0 && reset <= 60, `reset ${reset}`);
    assert.equal(res.headers['retry-after'], String(reset));
  });

  it('counts each client address apart, and limits only new jobs', async () => {
    const server = await app();
    await statuses(server, RATE.max + 1, { remoteAddress: '198.51.100.1' });
    assert.equal((await submit(server, { remoteAddress: '198.51.100.2' })).statusCode, 202);
    const read = await server.inject({ url: '/api/jobs/x', remoteAddress: '198.51.100.1' });
    assert.notEqual(read.statusCode, 429, 'reading a job is not limited');
    await server.close();
  });

  it('counts no refused request: a client that mistypes is told what is wrong, then served', async () => {
    const server = await app();
    for (let i = 0; i < RATE.max + 2; i++) {
      const res = await server.inject({ method: 'POST', url: '/api/jobs', payload: BAD_JOB });
      assert.equal(res.statusCode, 400);
    }
    assert.deepEqual(await statuses(server, RATE.max + 1), [202, 202, 202, 429]);
    await server.close();
  });

  it('refuses a client at its limit before reading its upload', async () => {
    const server = await app();
    await statuses(server, RATE.max);
    const boundary = 'x';
    const res = await server.inject({
      method: 'POST',
      url: '/api/jobs',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\n\r\n${'x'.repeat(500)}\r\n--${boundary}--\r\n`,
    });
    assert.equal(res.statusCode, 429);
    assert.deepEqual(await readdir(uploadDir), [], 'nothing of the upload was kept');
    await server.close();
  });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    const proxied = (client: string) => ({ remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': client } });
    const trusting = await app({ trustProxy: ['10.0.0.5'] });
    await statuses(trusting, RATE.max + 1, proxied('198.51.100.7'));
    assert.equal((await submit(trusting, proxied('198.51.100.8'))).statusCode, 202, 'another client behind the proxy');
    await trusting.close();
    const wary = await app();
    assert.deepEqual(await statuses(wary, RATE.max + 1, proxied('198.51.100.9')).then((s) => s.at(-1)), 429);
    assert.equal((await submit(wary, proxied('198.51.100.10'))).statusCode, 429, 'the header changes nothing');
    await wary.close();
  });

  it('has no limit when none is set', async () => {
    const server = await app({ submitRate: null });
    assert.ok((await statuses(server, RATE.max + 2)).every((status) => status === 202));
    await server.close();
  });
});

describe('in Redis', () => {
  const clients: Redis[] = [];
  const redis = (url = REDIS_URL) => {
    const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
  after(() => {
    for (const client of clients) client.disconnect();
  });

  it('shares the count between web processes', async () => {
    const keyPrefix = `ytconv-test-${randomBytes(6).toString('hex')}`;
    const [a, b] = [redis(), redis()];
    await Promise.all([a.connect(), b.connect()]);
    const first = await app({ rateLimitStore: { client: a, keyPrefix } });
    const second = await app({ rateLimitStore: { client: b, keyPrefix } });
    assert.deepEqual(await statuses(first, 2), [202, 202]);
    assert.deepEqual(await statuses(second, 2), [202, 429]);
    await Promise.all([first.close(), second.close()]);
    const keys = await a.keys(`${keyPrefix}:rate-limit:*`);
    assert.ok(keys.length > 0);
    await a.del(...keys);
  });

  it('lets requests through while Redis is unreachable', async () => {
    const down = redis('redis://127.0.0.1:9');
    const server = await app({ rateLimitStore: { client: down, keyPrefix: 'ytconv-test-down' } });
    assert.ok((await statuses(server, RATE.max + 2)).every((status) => status === 202));
    await server.close();
  });
});
