/** `ytconv admin …` as a script runs it: the real launcher, the password from the environment. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { createAdmin, listAdmins, verifyAdmin } from '../../src/db/admins.ts';
import type { Database } from '../../src/db/database.ts';
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

/** stdin is a pipe, not a terminal, as in a script. */
async function admin(args: string[], password?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database.url };
  delete env.YTCONV_ADMIN_PASSWORD;
  if (password !== undefined) env.YTCONV_ADMIN_PASSWORD = password;
  return exec(YTCONV, ['admin', ...args], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

describe('ytconv admin create', () => {
  it('creates an admin who can sign in with the password from YTCONV_ADMIN_PASSWORD', async () => {
    const { code, stdout } = await admin(['create', 'alice'], 'correct horse');
    assert.equal(code, 0);
    assert.match(stdout, /Created the admin "alice"/);
    assert.equal((await verifyAdmin(db, 'alice', 'correct horse'))?.username, 'alice');
  });

  it('creates a user, who may sign in to the page but not to /admin, with --role user', async () => {
    const { code, stdout } = await admin(['create', '--role', 'user', 'uma'], 'correct horse');
    assert.equal(code, 0);
    assert.match(stdout, /Created the user "uma"; sign in at http:\/\/[^/]+\/login\n/);
    assert.equal((await verifyAdmin(db, 'uma', 'correct horse'))?.role, 'user');
    assert.match((await admin(['list'])).stdout, /^uma +user +\d{4}-/m);
    const wrong = await admin(['create', 'ursula', '--role', 'boss'], 'correct horse');
    assert.equal(wrong.code, 2);
    assert.equal(wrong.stderr, 'ytconv admin: --role is one of: admin, user\n');
    assert.equal(await verifyAdmin(db, 'ursula', 'correct horse'), null);
  });

  it('refuses a name that is taken, in one line', async () => {
    const { code, stderr } = await admin(['create', 'alice'], 'another horse');
    assert.notEqual(code, 0);
    assert.equal(stderr, 'ytconv admin: the user "alice" already exists\n');
    assert.equal(await verifyAdmin(db, 'alice', 'another horse'), null);
  });

  it('refuses a password shorter than 8 characters', async () => {
    const { code, stderr } = await admin(['create', 'bob'], 'short');
    assert.notEqual(code, 0);
    assert.match(stderr, /at least 8 characters/);
    assert.equal(await verifyAdmin(db, 'bob', 'short'), null);
  });

  it('says how to give the password when there is no terminal to ask on', async () => {
    const { code, stderr } = await admin(['create', 'bob']);
    assert.notEqual(code, 0);
    assert.match(stderr, /set YTCONV_ADMIN_PASSWORD/);
  });

  it('explains its usage and the username rule', async () => {
    assert.equal((await admin(['create'])).code, 2);
    assert.match((await admin(['create', 'no spaces'], 'correct horse')).stderr, /letters, digits/);
  });
});

describe('ytconv admin list', () => {
  it('lists every admin with when each was added, oldest first', async () => {
    await createAdmin(db, 'carol', 'correct horse');
    const { code, stdout } = await admin(['list']);
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^USERNAME +ROLE +CREATED$/);
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(/ {2,}/)[0]),
      (await listAdmins(db)).map((a) => a.username),
    );
    assert.ok(
      lines.slice(1).every((line) => / {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC$/.test(line)),
      stdout,
    );
    assert.ok(lines.some((line) => line.startsWith('carol ')));
  });
});

describe('ytconv admin passwd', () => {
  it('changes the password: the new one signs in, the old one no longer does', async () => {
    await createAdmin(db, 'dave', 'old password');
    const { code, stdout } = await admin(['passwd', 'dave'], 'new password');
    assert.equal(code, 0);
    assert.equal(stdout, 'Changed the password of "dave".\n');
    assert.equal((await verifyAdmin(db, 'dave', 'new password'))?.username, 'dave');
    assert.equal(await verifyAdmin(db, 'dave', 'old password'), null);
  });

  it('refuses a short password and an unknown name, changing nothing', async () => {
    const short = await admin(['passwd', 'dave'], 'short');
    assert.equal(short.code, 1);
    assert.match(short.stderr, /at least 8 characters/);
    const unknown = await admin(['passwd', 'nobody'], 'long enough');
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'ytconv admin: there is no admin "nobody" (ytconv admin list shows who there is)\n');
    assert.equal((await verifyAdmin(db, 'dave', 'new password'))?.username, 'dave');
  });

  it('asks for the password on a terminal, or says how to give it', async () => {
    const { code, stderr } = await admin(['passwd', 'dave']);
    assert.equal(code, 1);
    assert.match(stderr, /set YTCONV_ADMIN_PASSWORD/);
  });
});

describe('ytconv admin delete', () => {
  it('deletes an admin, who can then no longer sign in', async () => {
    await createAdmin(db, 'erin', 'correct horse');
    const { code, stdout } = await admin(['delete', 'erin']);
    assert.equal(code, 0);
    assert.equal(stdout, 'Deleted the admin "erin".\n');
    assert.equal(await verifyAdmin(db, 'erin', 'correct horse'), null);
  });

  it('says so when there is no such admin', async () => {
    const { code, stderr } = await admin(['delete', 'erin']);
    assert.equal(code, 1);
    assert.match(stderr, /there is no admin "erin"/);
  });

  it('keeps the last admin unless told --force, and says what to do', async () => {
    for (const { username } of await listAdmins(db)) {
      if (username !== 'alice') assert.equal((await admin(['delete', username])).code, 0);
    }
    const refused = await admin(['delete', 'alice']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /"alice" is the only admin; without one nobody can sign in to \/admin/);
    assert.match(refused.stderr, /--force/);
    assert.deepEqual(
      (await listAdmins(db)).map((a) => a.username),
      ['alice'],
    );

    const forced = await admin(['delete', '--force', 'alice']);
    assert.equal(forced.code, 0);
    assert.match(forced.stdout, /Deleted the admin "alice"\.\nThere are no admins left/);
    assert.deepEqual(await listAdmins(db), []);
    assert.match((await admin(['list'])).stdout, /No admins yet/);
  });

  it('explains its usage', async () => {
    const wrong = [['delete'], ['delete', 'a', 'b'], ['list', 'extra'], ['remove', 'alice'], []];
    const answers = await Promise.all(wrong.map((args) => admin(args)));
    for (const [i, { code, stderr }] of answers.entries()) {
      assert.equal(code, 2, wrong[i]!.join(' '));
      assert.match(
        stderr,
        /usage: ytconv admin create USERNAME \[--role admin\|user\]\n.*ytconv admin delete USERNAME \[--force\]/s,
      );
    }
  });
});
