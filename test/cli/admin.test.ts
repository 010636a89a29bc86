/** `ytconv admin create` as a script runs it: the real launcher, the password from the environment. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { verifyAdmin } from '../../src/db/admins.ts';
import { openDatabase } from '../../src/db/connect.ts';
import type { Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { freshDatabaseUrl } from '../helpers/database.ts';

const exec = promisify(execFile);
const YTCONV = join(import.meta.dirname, '..', '..', 'bin', 'ytconv');

let database: Awaited<ReturnType<typeof freshDatabaseUrl>>;
let db: Kysely<Database>;

before(async () => {
  database = await freshDatabaseUrl();
  db = openDatabase(database.url);
  const result = await migrate(db);
  if (!result.ok) throw result.error;
});
after(async () => {
  await db.destroy();
  await database.drop();
});

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
