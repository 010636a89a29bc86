/**
 * Submission limits on POST /api/jobs: a 429 with the draft RateLimit headers past the limit, per
 * client address (X-Forwarded-For only from a trusted proxy), counted in memory or in Redis, and
 * never in the way when Redis is down. Refused requests are enough to count, so no job is needed.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { Redis } from 'ioredis';
import type { JobsApi } from '../../src/jobs/types.ts';
import { type AppDeps, buildApp } from '../../src/web/app.ts';
import { tempDir } from '../helpers/engine.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const untouchable = new Proxy({} as JobsApi, {
  get: (_target, name) => () => assert.fail(`${String(name)} must not be called`),
});
/** Refused by the schema, after the limiter has counted it. */
const BAD_JOB = { url: 'https://youtu.be/dQw4w9WgXcQ', format: 'nope' };
const RATE = { max: 3, windowSec: 60 };

let uploadDir: string;
before(async () => {
  uploadDir = await tempDir('ytconv-web-uploads-');
});

async function app(deps: Partial<AppDeps> = {}): Promise<FastifyInstance> {
  return buildApp({ jobs: untouchable, maxUploadBytes: 1000, uploadDir, submitRate: RATE, ...deps });
}

function submit(server: FastifyInstance, extra: Partial<InjectOptions> = {}) {
  return server.inject({ method: 'POST', url: '/api/jobs', payload: BAD_JOB, ...extra });
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
    assert.deepEqual(await statuses(server, RATE.max), [400, 400, 400]);
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
    assert.equal((await submit(server, { remoteAddress: '198.51.100.2' })).statusCode, 400);
    const read = await server.inject({ url: '/api/jobs/x', remoteAddress: '198.51.100.1' });
    assert.notEqual(read.statusCode, 429, 'reading a job is not limited');
    await server.close();
  });

  it('believes X-Forwarded-For only from a trusted proxy', async () => {
    const proxied = (client: string) => ({ remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': client } });
    const trusting = await app({ trustProxy: ['10.0.0.5'] });
    await statuses(trusting, RATE.max + 1, proxied('198.51.100.7'));
    assert.equal((await submit(trusting, proxied('198.51.100.8'))).statusCode, 400, 'another client behind the proxy');
    await trusting.close();
    const wary = await app();
    assert.deepEqual(await statuses(wary, RATE.max + 1, proxied('198.51.100.9')).then((s) => s.at(-1)), 429);
    assert.equal((await submit(wary, proxied('198.51.100.10'))).statusCode, 429, 'the header changes nothing');
    await wary.close();
  });

  it('has no limit when none is set', async () => {
    const server = await app({ submitRate: null });
    assert.ok((await statuses(server, RATE.max + 2)).every((status) => status === 400));
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
    assert.deepEqual(await statuses(first, 2), [400, 400]);
    assert.deepEqual(await statuses(second, 2), [400, 429]);
    await Promise.all([first.close(), second.close()]);
    const keys = await a.keys(`${keyPrefix}:rate-limit:*`);
    assert.ok(keys.length > 0);
    await a.del(...keys);
  });

  it('lets requests through while Redis is unreachable', async () => {
    const down = redis('redis://127.0.0.1:9');
    const server = await app({ rateLimitStore: { client: down, keyPrefix: 'ytconv-test-down' } });
    assert.ok((await statuses(server, RATE.max + 2)).every((status) => status === 400));
    await server.close();
  });
});
