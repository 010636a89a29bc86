/** `ytconv apikey …` as a script runs it: the real launcher against a fresh database. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/database.ts';
import { createAccessApi } from '../../src/jobs/access.ts';
import { migratedDatabase } from '../helpers/database.ts';

const exec = promisify(execFile);
const YTCONV = join(import.meta.dirname, '..', '..', 'bin', 'ytconv');

let database: Awaited<ReturnType<typeof migratedDatabase>>;
let db: Kysely<Database>;

before(async () => {
  database = await migratedDatabase();
  db = database.db;
});
after(() => database.close());

function apikey(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: database.url, YTCONV_SUBMIT_RATE: '7/1h' };
  return exec(YTCONV, ['apikey', ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

describe('ytconv apikey', () => {
  it('prints a new key alone on stdout, once, with its limit (by default YTCONV_SUBMIT_RATE)', async () => {
    const made = await apikey(['create', 'ci', '--rate', '5/1m']);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^ytc_[\w-]{43}\n$/);
    assert.match(made.stderr, /Created the API key "ci" \(5 new jobs per 1 min\)\. It is shown this once/);
    const info = await createAccessApi(db).keyFor(made.stdout.trim());
    assert.deepEqual(info?.rate, { max: 5, windowSec: 60 });
    const plain = await apikey(['create', 'bot']);
    assert.deepEqual((await createAccessApi(db).keyFor(plain.stdout.trim()))?.rate, { max: 7, windowSec: 3600 });
    const list = await apikey(['list']);
    assert.match(list.stdout, /^ID +NAME +LIMIT +CREATED +REVOKED\n/);
    assert.match(list.stdout, /\bci +5 new jobs per 1 min +\d{4}-\d\d-\d\d \d\d:\d\d UTC +-\n/);
    assert.ok(!list.stdout.includes(made.stdout.trim()), 'the list never shows a key');
  });

  it('revokes a key by name: it is refused from then on, and the name is free again', async () => {
    const { stdout: key } = await apikey(['create', 'old']);
    const revoked = await apikey(['revoke', 'old']);
    assert.equal(revoked.code, 0);
    assert.equal(await createAccessApi(db).keyFor(key.trim()), null);
    assert.equal((await apikey(['revoke', 'old'])).code, 1);
    assert.equal((await apikey(['create', 'old'])).code, 0);
  });

  it('refuses a taken name, a bad limit and a mistyped command, in one line each', async () => {
    const taken = await apikey(['create', 'ci']);
    assert.deepEqual(
      [taken.code, taken.stderr],
      [1, 'ytconv apikey: There is already a key named "ci": revoke it first, or pick another name.\n'],
    );
    const rate = await apikey(['create', 'x', '--rate', 'often']);
    assert.equal(rate.code, 2);
    assert.match(rate.stderr, /--rate "often": expected a count per duration/);
    for (const args of [[], ['create'], ['list', 'x'], ['revoke', 'a', '--rate', '1/1m'], ['make', 'x']]) {
      const wrong = await apikey(args);
      assert.equal(wrong.code, 2, args.join(' '));
      assert.match(wrong.stderr, /^ytconv apikey: usage: ytconv apikey create NAME/);
    }
  });
});
