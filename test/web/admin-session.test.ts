/** The admin's signed session cookie and its CSRF token, and the escaping HTML templates. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { html } from '../../src/web/admin/html.ts';
import {
  csrfMatches,
  newSessionValue,
  readSession,
  SESSION_COOKIE,
  SESSION_TTL_MS,
} from '../../src/web/admin/session.ts';

const SECRET = 'a secret key of some length';
const NOW = 1_800_000_000_000;
const cookie = (value: string) => `other=1; ${SESSION_COOKIE}=${value}; more=2`;

describe('admin sessions', () => {
  it('read back the username and expiry they were made with', () => {
    const session = readSession(SECRET, cookie(newSessionValue(SECRET, 'ann|x', NOW)), NOW + 1000);
    assert.equal(session?.username, 'ann|x');
    assert.equal(session?.expires, NOW + SESSION_TTL_MS);
  });

  it('refuse expired, re-signed, altered and missing cookies', () => {
    const value = newSessionValue(SECRET, 'ann', NOW);
    const [, expiry, signature] = value.split('.');
    const bob = Buffer.from('bob').toString('base64url');
    for (const [why, header, at] of [
      ['expired', cookie(value), NOW + SESSION_TTL_MS],
      ['another key', cookie(newSessionValue('another secret key', 'ann', NOW)), NOW],
      ['another name', cookie(`${bob}.${expiry}.${signature}`), NOW],
      ['a later expiry', cookie(`${value.split('.')[0]}.${Number(expiry) + 1}.${signature}`), NOW],
      ['no cookie', 'other=1', NOW],
      ['no header', undefined, NOW],
    ] as const) {
      assert.equal(readSession(SECRET, header, at), null, why);
    }
  });

  it('give each session its own CSRF token, which only that session accepts', () => {
    const a = readSession(SECRET, cookie(newSessionValue(SECRET, 'ann', NOW)), NOW)!;
    const b = readSession(SECRET, cookie(newSessionValue(SECRET, 'ann', NOW + 1)), NOW)!;
    assert.notEqual(a.csrf, b.csrf);
    assert.equal(csrfMatches(a, a.csrf), true);
    assert.equal(csrfMatches(a, b.csrf), false);
    assert.equal(csrfMatches(a, undefined), false);
    assert.equal(csrfMatches(a, ''), false);
  });
});

describe('admin templates', () => {
  it('escape every value except nested templates', () => {
    const evil = `<script>"x" & 'y'</script>`;
    const page = html`<p title="${evil}">${evil}${html`<b>${[1, 2]}</b>`}${null}${false}</p>`;
    assert.equal(
      page.text,
      '<p title="&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;">' +
        '&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;<b>12</b></p>',
    );
  });
});
