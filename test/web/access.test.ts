/**
 * A private instance (YTCONV_ACCESS) through the real app, access service and database: API keys
 * refused (missing, wrong, revoked), accepted and limited each on its own; sessions from the site's
 * sign-in form; and `open` as it always was. A JobsApi that makes a job whenever `admit` lets it
 * stands in for the service, as in rate-limit.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import type { AccessMode } from '../../src/access.ts';
import { createAdmin, deleteAdmin } from '../../src/db/admins.ts';
import { openDatabase } from '../../src/db/connect.ts';
import type { Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { type AccessApi, createAccessApi } from '../../src/jobs/access.ts';
import type { JobsApi } from '../../src/jobs/types.ts';
import { buildApp } from '../../src/web/app.ts';
import { freshDatabaseUrl } from '../helpers/database.ts';
import { tempDir } from '../helpers/engine.ts';
import { jobView } from '../helpers/views.ts';

const VIEW = jobView();
const maker = {
  create: async (_request: unknown, admit?: () => Promise<void>) => {
    await admit?.();
    return VIEW;
  },
  get: async () => VIEW,
} as unknown as JobsApi;
const JOB = { url: 'https://youtu.be/dQw4w9WgXcQ' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let database: Awaited<ReturnType<typeof freshDatabaseUrl>>;
let db: Kysely<Database>;
let access: AccessApi;
let uploadDir: string;
const apps: FastifyInstance[] = [];

before(async () => {
  database = await freshDatabaseUrl();
  db = openDatabase(database.url);
  const result = await migrate(db);
  if (!result.ok) throw result.error;
  access = createAccessApi(db);
  uploadDir = await tempDir('ytconv-web-uploads-');
  await createAdmin(db, 'uma', 'correct horse', { role: 'user' });
});
after(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await db.destroy();
  await database.drop();
});

async function app(mode: AccessMode): Promise<FastifyInstance> {
  const server = await buildApp({
    jobs: maker,
    maxUploadBytes: 1000,
    uploadDir,
    submitRate: { max: 1, windowSec: 60 },
    access: { mode, api: access, secretKey: 'a test key that signs nothing real', secureCookie: false },
  });
  apps.push(server);
  return server;
}

function submit(server: FastifyInstance, key?: string, extra: Partial<InjectOptions> = {}) {
  const headers = key === undefined ? {} : { authorization: `Bearer ${key}` };
  return server.inject({ method: 'POST', url: '/api/jobs', payload: JOB, headers, ...extra });
}

function error(res: LightMyRequestResponse): { code: string; message: string } {
  return res.json().error;
}

async function signIn(server: FastifyInstance, username: string, password: string, next = '/jobs/job1') {
  return server.inject({
    method: 'POST',
    url: '/login',
    headers: FORM,
    payload: new URLSearchParams({ username, password, next }).toString(),
  });
}

function cookieOf(res: LightMyRequestResponse): string {
  return String([res.headers['set-cookie']].flat()[0]).split(';')[0] ?? '';
}

describe('YTCONV_ACCESS=apikey', () => {
  it('refuses a missing, wrong or revoked key alike: 401 unauthorized, and no job', async () => {
    const server = await app('apikey');
    const { key } = await access.createKey('soon revoked', null);
    assert.equal((await submit(server, key)).statusCode, 202);
    assert.equal(await access.revokeKey({ name: 'soon revoked' }), true);
    const answers = await Promise.all([
      submit(server),
      submit(server, 'ytc_not-a-key'),
      submit(server, `ytc_${'A'.repeat(43)}`),
      submit(server, key),
      server.inject({ url: '/api/jobs/job1', headers: { authorization: `Bearer ${key}` } }),
      server.inject({ url: '/api/jobs/job1/files/a.mp3' }),
    ]);
    for (const res of answers) {
      assert.equal(res.statusCode, 401);
      assert.deepEqual(error(res), {
        code: 'unauthorized',
        message: 'This server is private: send an API key (Authorization: Bearer KEY), or sign in at /login.',
      });
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="ytconv"');
    }
  });

  it('accepts a key, and limits each key by its own rate, not the address’s', async () => {
    const server = await app('apikey');
    const two = await access.createKey('two a minute', { max: 2, windowSec: 60 });
    const other = await access.createKey('another', { max: 2, windowSec: 60 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await submit(server, two.key)).statusCode);
    assert.deepEqual(statuses, [202, 202, 429]);
    const over = await submit(server, two.key);
    assert.equal(error(over).code, 'too_many_requests');
    assert.match(error(over).message, /with this API key: this server takes 2 per minute/);
    assert.equal(over.headers['ratelimit-limit'], '2');
    assert.equal((await submit(server, other.key)).statusCode, 202, 'another key from the same address');
    assert.equal(
      (await server.inject({ url: '/api/jobs/job1', headers: { authorization: `Bearer ${two.key}` } })).statusCode,
      200,
    );
  });

  it('keeps only a hash: no row holds the key or any part of its secret', async () => {
    const { key, info } = await access.createKey('hashed', { max: 5, windowSec: 60 });
    const rows = JSON.stringify(await db.selectFrom('api_keys').selectAll().execute());
    const secret = key.slice('ytc_'.length);
    for (let at = 0; at + 8 <= secret.length; at += 8) assert.ok(!rows.includes(secret.slice(at, at + 8)), rows);
    assert.equal((await access.keyFor(key))?.id, info.id);
  });

  it('lets a signed-in person use the API without a key (the page’s own calls)', async () => {
    const server = await app('apikey');
    const cookie = cookieOf(await signIn(server, 'uma', 'correct horse'));
    assert.equal((await submit(server, undefined, { headers: { cookie } })).statusCode, 202);
  });

  it('leaves the options, with the access mode, and the docs open', async () => {
    const server = await app('apikey');
    const options = await server.inject({ url: '/api/options' });
    assert.equal(options.statusCode, 200);
    assert.deepEqual(options.json().access, { mode: 'apikey', user: null, sign_in: '/login', sign_out: null });
    assert.equal(options.headers['cache-control'], 'private, no-store');
    const docs = await server.inject({ url: '/api/openapi.json' });
    const createJob = docs.json().paths['/api/jobs'].post;
    assert.deepEqual(createJob.security, [{ apiKey: [] }, { session: [] }]);
    assert.ok(createJob.responses['401'], 'the 401 is documented');
  });
});

describe('YTCONV_ACCESS=login', () => {
  it('refuses the API (a look at a link too) without a session, even with a valid key', async () => {
    const server = await app('login');
    const { key } = await access.createKey('useless here', null);
    for (const res of [
      await submit(server),
      await submit(server, key),
      await server.inject({ url: '/api/jobs/job1' }),
      await server.inject({ url: '/api/inspect?url=https://youtu.be/dQw4w9WgXcQ' }),
    ]) {
      assert.equal(res.statusCode, 401);
      assert.deepEqual(error(res), { code: 'unauthorized', message: 'This server is private: sign in at /login.' });
    }
  });

  it('signs a user in through the form, back to the page asked for, and the API then works', async () => {
    const server = await app('login');
    const form = await server.inject({ url: '/login?next=%2Fjobs%2Fjob1' });
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /<input type="hidden" name="next" value="\/jobs\/job1">/);
    const wrong = await signIn(server, 'uma', 'wrong horse');
    assert.equal(wrong.statusCode, 401);
    assert.match(wrong.body, /Wrong username or password/);
    const res = await signIn(server, 'uma', 'correct horse');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/jobs/job1');
    const cookie = cookieOf(res);
    assert.equal((await server.inject({ url: '/api/jobs/job1', headers: { cookie } })).statusCode, 200);
    assert.equal((await submit(server, undefined, { headers: { cookie } })).statusCode, 202);
    const options = await server.inject({ url: '/api/options', headers: { cookie } });
    assert.deepEqual(options.json().access, { mode: 'login', user: 'uma', sign_in: null, sign_out: '/logout' });
  });

  it('sends nobody to another site after signing in', async () => {
    const server = await app('login');
    for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example/']) {
      const res = await signIn(server, 'uma', 'correct horse', next);
      assert.equal(res.headers.location, '/', next);
    }
  });

  it('keeps a user out of the admin area, and ends a deleted user’s session', async () => {
    const server = await app('login');
    await createAdmin(db, 'ulla', 'correct horse', { role: 'user' });
    const cookie = cookieOf(await signIn(server, 'ulla', 'correct horse'));
    assert.equal((await server.inject({ url: '/api/jobs/job1', headers: { cookie } })).statusCode, 200);
    assert.equal(await deleteAdmin(db, 'ulla'), 'deleted');
    assert.equal((await server.inject({ url: '/api/jobs/job1', headers: { cookie } })).statusCode, 401);
  });

  it('signs out with the session’s token only', async () => {
    const server = await app('login');
    const cookie = cookieOf(await signIn(server, 'uma', 'correct horse'));
    const page = await server.inject({ url: '/logout', headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? assert.fail(page.body);
    const forged = await server.inject({
      method: 'POST',
      url: '/logout',
      headers: { ...FORM, cookie },
      payload: '_csrf=x',
    });
    assert.equal(forged.statusCode, 403);
    const out = await server.inject({
      method: 'POST',
      url: '/logout',
      headers: { ...FORM, cookie },
      payload: `_csrf=${encodeURIComponent(csrf)}`,
    });
    assert.equal(out.statusCode, 303);
    assert.equal(out.headers.location, '/login');
    assert.match(String(out.headers['set-cookie']), /^ytconv_session=; Max-Age=0; Path=\//);
  });
});

describe('YTCONV_ACCESS=open', () => {
  it('asks nobody for anything, limits by address, and has no sign-in page', async () => {
    const server = await app('open');
    assert.deepEqual([(await submit(server)).statusCode, (await submit(server)).statusCode], [202, 429]);
    assert.equal((await server.inject({ url: '/api/jobs/job1' })).statusCode, 200);
    assert.equal((await server.inject({ url: '/login' })).statusCode, 404);
    const options = await server.inject({ url: '/api/options' });
    assert.deepEqual(options.json().access, { mode: 'open', user: null, sign_in: null, sign_out: null });
    assert.equal(options.headers['cache-control'], 'public, max-age=300');
  });
});
