/**
 * The admin area through the real service: database, Redis, an in-process worker and the
 * stand-in video site, driven with `app.inject()` as a browser would (forms, cookies, redirects).
 */

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createAdmin, deleteAdmin } from '../../src/db/admins.ts';
import { addCookies, listCookies, setCookiesAside } from '../../src/db/cookies-pool.ts';
import { createWithConversion, getJob, NO_CONTACT } from '../../src/db/jobs.ts';
import { startPause } from '../../src/db/site-states.ts';
import { claimCheck, finishCheck } from '../../src/db/ytdlp-state.ts';
import { createAccessApi } from '../../src/jobs/access.ts';
import { createAdminApi } from '../../src/jobs/admin.ts';
import { sitePauses } from '../../src/jobs/parking.ts';
import type { JobView } from '../../src/jobs/types.ts';
import { formatTime } from '../../src/web/admin/format.ts';
import { buildApp } from '../../src/web/app.ts';
import { DEFAULT_OPTIONS } from '../db/fixtures.ts';
import { adminYtdlp, type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
let app: FastifyInstance;

before(async () => {
  stack = await startStack();
  await stack.startWorker();
  const { services } = stack;
  app = await buildApp({
    jobs: stack.jobs,
    maxUploadBytes: 200_000,
    uploadDir: join(services.storage.root, 'incoming'),
    admin: {
      api: createAdminApi({ ...services, jobs: stack.jobs, ytdlp: adminYtdlp(stack) }),
      secretKey: 'a test key that signs nothing real',
      secureCookie: false,
      queues: [services.queues.convert, services.queues.service],
    },
  });
  await createAdmin(services.db, 'ann', 'correct horse');
});
after(async () => {
  await app.close();
  await stack.close();
});

interface Browser {
  cookie: string;
  csrf: string;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function signIn(username: string, password: string, remoteAddress = '127.0.0.1') {
  return app.inject({
    method: 'POST',
    url: '/admin/login',
    headers: FORM,
    remoteAddress,
    payload: new URLSearchParams({ username, password }).toString(),
  });
}

function setCookie(res: LightMyRequestResponse): string | undefined {
  return [res.headers['set-cookie'] ?? []].flat()[0];
}

async function browser(): Promise<Browser> {
  const res = await signIn('ann', 'correct horse');
  const cookie = setCookie(res)!.split(';')[0]!;
  const page = await app.inject({ url: '/admin', headers: { cookie } });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  return { cookie, csrf };
}

function get(b: Browser, url: string) {
  return app.inject({ url, headers: { cookie: b.cookie } });
}

function act(b: Browser, jobId: string, action: string, fields: Record<string, string> = { _csrf: b.csrf }) {
  return app.inject({
    method: 'POST',
    url: `/admin/jobs/${jobId}/${action}`,
    headers: { ...FORM, cookie: b.cookie },
    payload: new URLSearchParams({ back: '/admin?status=failed', ...fields }).toString(),
  });
}

async function convert(video: string, status: JobView['status']): Promise<JobView> {
  const job = await stack.jobs.create({ url: stack.site.watchUrl(video), format: 'mp3', quality: '128k' });
  return stack.waitFor(job.id, status);
}

describe('signing in', () => {
  it('refuses a wrong password with the form again and no cookie', async () => {
    const res = await signIn('ann', 'wrong horse');
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['set-cookie'], undefined);
    assert.match(res.body, /Wrong username or password/);
    assert.match(res.body, /name="username" value="ann"/);
  });

  it('sets a signed, HttpOnly, SameSite=Strict session cookie for the right one', async () => {
    const res = await signIn('ann', 'correct horse');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/admin');
    const cookie = setCookie(res) ?? '';
    assert.match(cookie, /^ytconv_session=[\w-]+\.\d+\.[\w-]{43}; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
  });

  it('sends everyone without a valid session to the sign-in page', async () => {
    for (const url of ['/admin', '/admin?status=done', '/admin/queues', '/admin/queues/api/queues']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 302, url);
      assert.equal(res.headers.location, '/admin/login');
    }
    const forged = await app.inject({
      url: '/admin',
      headers: { cookie: 'ytconv_session=YW5u.99999999999999.forged' },
    });
    assert.equal(forged.statusCode, 302);
    const post = await app.inject({ method: 'POST', url: '/admin/jobs/x/delete', headers: FORM, payload: '' });
    assert.equal(post.statusCode, 303);
    assert.equal(post.headers.location, '/admin/login');
  });

  it('holds a username back after 10 wrong passwords, even with the right one, and says until when', async () => {
    await createAdmin(stack.services.db, 'bob', 'correct battery');
    for (let i = 0; i < 10; i++) {
      assert.equal((await signIn('bob', `guess ${i}`, `198.51.100.${i}`)).statusCode, 401);
    }
    const held = await signIn('Bob', 'correct battery', '198.51.100.99');
    assert.equal(held.statusCode, 429);
    assert.equal(held.headers['set-cookie'], undefined);
    const wait = Number(held.headers['retry-after']);
    assert.ok(wait > 14 * 60 && wait <= 15 * 60, `Retry-After ${wait}`);
    assert.match(held.body, /Too many wrong passwords\. Try again in 15 minutes, after \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    assert.equal((await signIn('ann', 'correct horse', '198.51.100.99')).statusCode, 303, 'other names still sign in');
  });

  it('holds an address back after 20 wrong passwords, whatever the names', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await signIn(`nobody${i}`, 'guess', '203.0.113.7')).statusCode, 401);
    assert.equal((await signIn('ann', 'correct horse', '203.0.113.7')).statusCode, 429);
    assert.equal(
      (await signIn('ann', 'correct horse', '203.0.113.8')).statusCode,
      303,
      'other addresses still sign in',
    );
  });

  it('counts only wrong passwords', async () => {
    for (let i = 0; i < 12; i++) assert.equal((await signIn('ann', 'correct horse', '192.0.2.1')).statusCode, 303);
  });

  it('ends the sessions of an admin who is deleted', async () => {
    await createAdmin(stack.services.db, 'gone', 'correct horse');
    const cookie = setCookie(await signIn('gone', 'correct horse'))!.split(';')[0]!;
    assert.equal((await app.inject({ url: '/admin', headers: { cookie } })).statusCode, 200);
    assert.equal(await deleteAdmin(stack.services.db, 'gone'), 'deleted');
    for (const url of ['/admin', '/admin/queues']) {
      const res = await app.inject({ url, headers: { cookie } });
      assert.equal(res.statusCode, 302, url);
      assert.equal(res.headers.location, '/admin/login');
    }
    assert.equal((await app.inject({ url: '/admin/login', headers: { cookie } })).statusCode, 200, 'no redirect loop');
  });

  it('signs out with a POST carrying the token, clearing the cookie', async () => {
    const b = await browser();
    const res = await app.inject({
      method: 'POST',
      url: '/admin/logout',
      headers: { ...FORM, cookie: b.cookie },
      payload: `_csrf=${b.csrf}`,
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/admin/login');
    assert.match(setCookie(res) ?? '', /^ytconv_session=; Max-Age=0;/);
  });
});

describe('a finished job in the list', () => {
  let b: Browser;
  let done: JobView;

  before(async () => {
    b = await browser();
    done = await convert('plain', 'done');
  });

  it('shows status, source, title, duration, size and creation time', async () => {
    const res = await get(b, '/admin');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-security-policy'] as string, /default-src 'none'/);
    const row = rowOf(res.body, done.id);
    assert.match(row, /badge--done">done</);
    assert.match(row, /Plain Tone Video/);
    assert.ok(row.includes(`href="${done.source.url}"`), row);
    assert.match(row, /standin|generic/);
    assert.match(row, /<td data-label="Duration">0:0\d<\/td>/);
    assert.match(row, /\d+(\.\d)? KB \(1\)/);
    assert.match(row, /\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  });

  it('finds it by title and by status, and not by others', async () => {
    assert.ok((await get(b, '/admin?q=plain+TONE')).body.includes(done.id));
    assert.ok((await get(b, '/admin?status=done')).body.includes(done.id));
    assert.ok(!(await get(b, '/admin?status=failed')).body.includes(done.id));
    assert.match((await get(b, '/admin?q=no+such+title')).body, /No jobs match/);
  });

  it('refuses to retry it, saying why', async () => {
    const res = await act(b, done.id, 'retry');
    assert.equal(res.statusCode, 409);
    assert.match(res.body, /Only failed or cancelled jobs can be retried; this one is done/);
  });

  it('refuses a POST without the CSRF token, changing nothing', async () => {
    for (const fields of [{}, { _csrf: 'forged' }] as Record<string, string>[]) {
      const res = await act(b, done.id, 'delete', fields);
      assert.equal(res.statusCode, 403);
    }
    assert.notEqual(await getJob(stack.services.db, done.id), null);
  });

  it('asks before deleting it, and asking changes nothing', async () => {
    const list = await get(b, '/admin?status=done');
    const href = new RegExp(`href="(/admin/jobs/${done.id}/delete\\?back=[^"]+)"`).exec(list.body)?.[1];
    assert.ok(href, 'the row links to the confirmation');
    const res = await get(b, href.replaceAll('&amp;', '&'));
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Delete this job\?/);
    assert.match(res.body, /Plain Tone Video/);
    assert.ok(res.body.includes(`action="/admin/jobs/${done.id}/delete"`));
    assert.ok(res.body.includes('name="back" value="/admin?status=done"'));
    assert.ok(res.body.includes('href="/admin?status=done">Keep the job</a>'));
    assert.notEqual(await getJob(stack.services.db, done.id), null);
  });

  it('deletes it with its files', async () => {
    const dir = await stack.storageDir(done.id);
    assert.ok(existsSync(dir));
    const res = await act(b, done.id, 'delete');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/admin?status=failed&done=delete&job=${done.id}`);
    assert.equal(existsSync(dir), false);
    assert.equal(await getJob(stack.services.db, done.id), null);
    assert.match((await get(b, res.headers.location as string)).body, /Deleted job/);
  });
});

describe('asking to confirm', () => {
  it('says so when the job is gone, and sends nowhere but a list', async () => {
    const b = await browser();
    const res = await get(b, '/admin/jobs/no-such-job/cancel?back=https://evil.example/');
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /There is no such job/);
    assert.ok(!res.body.includes('evil.example'));
  });
});

describe('actions on unfinished jobs', () => {
  let b: Browser;
  before(async () => {
    b = await browser();
  });

  it('cancels a running job', async () => {
    const running = await convert('slow', 'running');
    const res = await act(b, running.id, 'cancel');
    assert.equal(res.statusCode, 303);
    await stack.waitFor(running.id, 'cancelled');
  });

  it('deletes a running job, stopping its conversion', async () => {
    const running = await convert('slow', 'running');
    const dir = await stack.storageDir(running.id);
    const conversionId = (await getJob(stack.services.db, running.id))!.conversion_id;
    const res = await act(b, running.id, 'delete');
    assert.equal(res.statusCode, 303);
    assert.equal(await getJob(stack.services.db, running.id), null);
    const message = await stack.services.queues.convert.getJob(conversionId);
    // The worker notices at its next progress write (at most a second) and gives the job up.
    for (let i = 0; i < 50 && (await message?.getState()) === 'active'; i++) await sleep(100);
    assert.notEqual(await message?.getState(), 'active');
    assert.equal(existsSync(dir), false);
  });

  it('shows a job cancelled early without the files its shared work made for another', async () => {
    // Two requests for the same work; the first leaves before it is done, the second stays.
    const request = { url: stack.site.watchUrl('slow'), format: 'wav' } as const;
    const left = await stack.jobs.create(request);
    const stayed = await stack.jobs.create(request);
    await stack.waitFor(left.id, 'running');
    await stack.jobs.cancel(left.id);
    await stack.waitFor(stayed.id, 'done', 90_000);
    const list = (await get(b, '/admin')).body;
    assert.match(rowOf(list, stayed.id), /<td data-label="Size">\d+(\.\d)? MB \(1\)<\/td>/);
    assert.match(rowOf(list, left.id), /<td data-label="Size">—<\/td>/);
  });

  it('retries a failed job as a new job with the same source and options', async () => {
    const failed = await convert('private', 'failed');
    const res = await act(b, failed.id, 'retry');
    assert.equal(res.statusCode, 303);
    const newId = new URL(res.headers.location as string, 'http://x').searchParams.get('job')!;
    assert.notEqual(newId, failed.id);
    const retried = await getJob(stack.services.db, newId);
    assert.equal(retried?.conversion.source_url, failed.source.url);
    assert.deepEqual(retried?.conversion.options, failed.options);
    await stack.waitFor(newId, 'failed');
  });
});

describe('the list', () => {
  it('escapes what it shows and pages through many jobs', async () => {
    const b = await browser();
    for (let i = 0; i < 51; i++) {
      const input = {
        source_kind: 'url',
        source_site: 'youtube',
        source_id: null,
        source_url: `https://www.youtube.com/watch?v=page${i}`,
        options_key: null,
        title: `<b>Paged</b> ${i}`,
        options: DEFAULT_OPTIONS,
      } as const;
      await createWithConversion(stack.services.db, input, NO_CONTACT);
    }
    const first = await get(b, '/admin?q=paged');
    assert.match(first.body, /51 jobs/);
    assert.match(first.body, /Page 1 of 2/);
    assert.ok(first.body.includes('&lt;b&gt;Paged&lt;/b&gt; 50'));
    assert.ok(!first.body.includes('<b>Paged'));
    const second = await get(b, '/admin?q=paged&page=2');
    assert.equal(second.body.match(/<tr>/g)?.length, 2, 'the header and one row');
    const titles = (page: string) => page.match(/Paged&lt;\/b&gt; \d+/g) ?? [];
    assert.equal(new Set([...titles(first.body), ...titles(second.body)]).size, 51);
  });
});

describe('the health page', () => {
  /** The counts of the site's row in "Sites over the last hour", and of an error code's row. */
  const siteRow = (page: string, site: string) => {
    const cells = new RegExp(
      `<td>${site}</td>\\s*<td data-label="Done">(\\d+)</td>\\s*<td data-label="Failed">(\\d+)</td>\\s*<td data-label="Waiting">(\\d+)</td>\\s*<td data-label="Success">(\\d+) %</td>`,
    ).exec(page);
    return cells ? cells.slice(1).map(Number) : [0, 0, 0, 0];
  };
  const codeRow = (page: string, code: string) =>
    Number(new RegExp(`<code>${code}</code></td>\\s*<td data-label="Last hour">(\\d+)</td>`).exec(page)?.[1] ?? 0);

  function post(b: Browser, action: string, fields: Record<string, string>) {
    return app.inject({
      method: 'POST',
      url: `/admin/health/${action}`,
      headers: { ...FORM, cookie: b.cookie },
      payload: new URLSearchParams(fields).toString(),
    });
  }

  it("shows each site's outcomes over the last hour, the failures by code, and the JS runtime", async () => {
    const b = await browser();
    const before = (await get(b, '/admin/health')).body;
    const [done = 0, failed = 0, parked = 0] = siteRow(before, 'standin');
    // A link of another site than YouTube has no site until yt-dlp names it: one that fails first has none.
    const unknown = 'not known \\(failed before yt-dlp named the site\\)';
    const [, failedUnknown = 0] = siteRow(before, unknown);
    await convert('second', 'done');
    await convert('private', 'failed');
    const res = await get(b, '/admin/health');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-security-policy'] as string, /default-src 'none'/);
    const rate = Math.round(((done + 1) / (done + 1 + failed + parked)) * 100);
    assert.deepEqual(siteRow(res.body, 'standin'), [done + 1, failed, parked, rate]);
    assert.equal(siteRow(res.body, unknown)[1], failedUnknown + 1);
    assert.equal(codeRow(res.body, 'unavailable'), codeRow(before, 'unavailable') + 1);
    // The latest failure first: one that failed before its site and title were known shows its link.
    assert.match(
      res.body,
      /<td data-label="Site">—<\/td>\s*<td data-label="What" class="admin-table__job">[^<]*Private_005<\/td>/,
    );
    assert.match(res.body, /<dt>JS runtime<\/dt>\s*<dd>not needed by this yt-dlp version<\/dd>/);
    assert.match(res.body, /<a href="\/admin\/health">Health<\/a>/);
  });

  it('lists a pause with its cause and end, and lifts it with Resume now (with the form token only)', async () => {
    const b = await browser();
    const { db } = stack.services;
    const until = await startPause(db, 'standin', 'bot_wall', { baseMs: 3_600_000, maxMs: 3_600_000 });
    const page = (await get(b, '/admin/health')).body;
    assert.match(
      page,
      /<td>standin<\/td>\s*<td data-label="Why"><code>bot_wall<\/code> <span class="admin-table__error">The video site asked this server/,
    );
    assert.ok(page.includes(formatTime(until)), 'the end of the pause');
    assert.match(page, /name="site" value="standin">\s*<button[^>]*>Resume now<\/button>/);

    assert.equal((await post(b, 'resume', { site: 'standin' })).statusCode, 403, 'no token, no action');
    assert.ok((await sitePauses(db)).has('standin'));

    const res = await post(b, 'resume', { _csrf: b.csrf, site: 'standin' });
    assert.equal(res.statusCode, 303);
    const after = (await get(b, res.headers.location as string)).body;
    assert.match(after, /standin resumed: its waiting conversions start now\./);
    assert.match(after, /No site is paused\./);
    assert.equal((await sitePauses(db)).size, 0);

    const again = await post(b, 'resume', { _csrf: b.csrf, site: 'standin' });
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /standin is not paused \(any more\)\./);
  });

  it('shows the cookies pool and puts a file that met the bot wall back with Put back', async () => {
    const b = await browser();
    const { db } = stack.services;
    await addCookies(db, ['alice.txt', 'bob.txt']);
    await setCookiesAside(db, 'bob.txt', null);
    const page = (await get(b, '/admin/health')).body;
    assert.match(page, /<td>bob\.txt<\/td>\s*<td data-label="State">set aside since [^<]* UTC, until put back<\/td>/);
    assert.match(page, /<td>alice\.txt<\/td>\s*<td data-label="State">in use<\/td>/);
    assert.equal(page.match(/>Put back<\/button>/g)?.length, 1, 'only the file set aside can be put back');

    const res = await post(b, 'cookies-back', { _csrf: b.csrf, name: 'bob.txt' });
    assert.equal(res.statusCode, 303);
    assert.match((await get(b, res.headers.location as string)).body, /bob\.txt is back in the cookies pool\./);
    assert.equal((await listCookies(db)).find((row) => row.name === 'bob.txt')?.set_aside_at, null);

    const unknown = await post(b, 'cookies-back', { _csrf: b.csrf, name: 'nobody.txt' });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.body, /The cookies pool has no file &quot;nobody\.txt&quot;\./);
  });
});

describe('the yt-dlp panel', () => {
  it('shows the version in use, its age, the last check and the last canary', async () => {
    const b = await browser();
    const before = await get(b, '/admin');
    assert.match(before.body, /<dt>yt-dlp<\/dt>\s*<dd>2023\.03\.04 \(\d+ days old\), the configured one<\/dd>/);
    assert.match(before.body, /<dt>Last canary<\/dt>\s*<dd>never<\/dd>/);

    // As a check that switched records it (the check itself: test/jobs/ytdlp-updates.test.ts).
    const { db } = stack.services;
    assert.ok(await claimCheck(db, 'check', Date.now() + 60_000));
    const canary = { version: '2024.02.02', error: null, message: 'Extracted <the canary>.' };
    const installed = { version: '2024.02.02', path: 'ytdlp/2024.02.02/yt-dlp', sha256: 'a'.repeat(64) };
    assert.ok(await finishCheck(db, 'check', { outcome: 'switched', message: 'Switched.', canary, installed }, null));

    const after = await get(b, '/admin');
    assert.match(
      after.body,
      /<dd>2024\.02\.02 \(\d+ days old\), installed by ytconv \(update\) \d{4}-\d\d-\d\d \d\d:\d\d UTC<\/dd>/,
    );
    assert.match(after.body, /<dt>Last check<\/dt>\s*<dd>[^<]* UTC: switched\. Switched\.<\/dd>/);
    assert.match(after.body, /yt-dlp 2024\.02\.02 passed\. Extracted &lt;the canary&gt;\./);
  });
});

describe('the API document', () => {
  it('leaves the admin pages out', async () => {
    const paths = Object.keys((await app.inject({ url: '/api/openapi.json' })).json().paths);
    assert.ok(paths.length > 0);
    assert.deepEqual(
      paths.filter((path) => path.startsWith('/admin')),
      [],
    );
  });
});

describe('the queue dashboard', () => {
  it('answers behind the sign-in, with its own CSP, assets and API', async () => {
    const b = await browser();
    const page = await get(b, '/admin/queues');
    assert.equal(page.statusCode, 200);
    assert.match(page.headers['content-security-policy'] as string, /style-src 'self' 'unsafe-inline'/);
    const script = /src="(static\/js\/main\.[\w.]+\.js)"/.exec(page.body)![1]!;
    assert.equal((await get(b, `/admin/queues/${script}`)).statusCode, 200);
    const api = await get(b, '/admin/queues/api/queues');
    assert.equal(api.statusCode, 200);
    const names = (api.json() as { queues: { name: string }[] }).queues.map((q) => q.name);
    assert.deepEqual(names.sort(), ['ytconv-convert', 'ytconv-service']);
  });

  it('refuses writes that the browser marks as cross-site', async () => {
    const b = await browser();
    const res = await app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/ytconv-convert/pause',
      headers: { cookie: b.cookie, 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(res.statusCode, 403);
  });
});

describe('API keys', () => {
  function post(b: Browser, url: string, fields: Record<string, string>) {
    return app.inject({
      method: 'POST',
      url,
      headers: { ...FORM, cookie: b.cookie },
      payload: new URLSearchParams({ _csrf: b.csrf, ...fields }).toString(),
    });
  }

  it('makes a key shown once, which works until it is revoked', async () => {
    const b = await browser();
    const made = await post(b, '/admin/keys', { name: 'ci', rate: '2/1m' });
    assert.equal(made.statusCode, 201);
    const key = /data-testid="new-key">(ytc_[\w-]{43})</.exec(made.body)?.[1] ?? assert.fail(made.body);
    const access = createAccessApi(stack.services.db);
    const info = (await access.keyFor(key)) ?? assert.fail('the new key is not accepted');
    assert.deepEqual([info.name, info.rate], ['ci', { max: 2, windowSec: 60 }]);

    const list = await get(b, '/admin/keys');
    assert.match(list.body, /<td>ci<\/td>/);
    assert.match(list.body, /2 new jobs per 1 min/);
    assert.ok(!list.body.includes(key), 'the list never shows the key again');

    const revoked = await post(b, `/admin/keys/${info.id}/revoke`, {});
    assert.equal(revoked.statusCode, 303);
    assert.equal(await access.keyFor(key), null);
  });

  it('refuses a bad limit, a taken name and a stale form, making nothing', async () => {
    const b = await browser();
    const before = (await createAccessApi(stack.services.db).listKeys()).length;
    const badRate = await post(b, '/admin/keys', { name: 'x', rate: 'lots' });
    assert.equal(badRate.statusCode, 400);
    assert.match(badRate.body, /The limit must be a count per duration/);
    await post(b, '/admin/keys', { name: 'taken', rate: 'none' });
    const taken = await post(b, '/admin/keys', { name: 'taken', rate: 'none' });
    assert.equal(taken.statusCode, 409);
    assert.match(taken.body, /already a key named &quot;taken&quot;/);
    const stale = await post({ ...b, csrf: 'stale' }, '/admin/keys', { name: 'stale', rate: 'none' });
    assert.equal(stale.statusCode, 403);
    assert.equal((await createAccessApi(stack.services.db).listKeys()).length, before + 1);
  });

  it('is for admins only: a user who signs in there hears a wrong password', async () => {
    await createAdmin(stack.services.db, 'ulf', 'correct horse', { role: 'user' });
    const res = await signIn('ulf', 'correct horse');
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['set-cookie'], undefined);
  });
});

/** One job's table row. */
function rowOf(page: string, jobId: string): string {
  const at = page.indexOf(`/jobs/${jobId}"`);
  assert.ok(at > 0, `job ${jobId} is not in the list`);
  return page.slice(page.lastIndexOf('<tr>', at), page.indexOf('</tr>', at));
}
