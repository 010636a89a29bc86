/**
 * `ytconv admin create USERNAME`: add a person who may sign in to /admin, like Django's
 * createsuperuser. The password is asked twice on the terminal, without echo; scripts give it in
 * YTCONV_ADMIN_PASSWORD instead.
 */
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import type { Config } from '../config.ts';
import { adminExists, createAdmin } from '../db/admins.ts';
import { openDatabase } from '../db/connect.ts';

const USAGE = 'usage: ytconv admin create USERNAME';
/** Django's rule, so that names carried over from the seed project still fit. */
const USERNAME = /^[\w.@+-]{1,150}$/;
const MIN_PASSWORD = 8;

class Interrupted extends Error {}

export async function runAdmin(argv: string[], config: Config): Promise<number> {
  const [action, username, ...extra] = argv;
  if (action !== 'create' || username === undefined || extra.length > 0) return fail(USAGE, 2);
  if (!USERNAME.test(username)) {
    return fail('a username is 1 to 150 letters, digits and @ . + - _', 2);
  }
  const given = config.service.adminPassword;
  if (given !== null && passwordProblem(given)) return fail(`YTCONV_ADMIN_PASSWORD: ${passwordProblem(given)}`, 1);
  if (given === null && !process.stdin.isTTY) {
    return fail('no terminal to ask for the password on: set YTCONV_ADMIN_PASSWORD', 1);
  }
  const db = openDatabase(config.service.databaseUrl);
  try {
    if (await adminExists(db, username)) return fail(`the user "${username}" already exists`, 1);
    const password = given ?? (await askNewPassword());
    // Null when the same name was taken meanwhile.
    if ((await createAdmin(db, username, password)) === null) return fail(`the user "${username}" already exists`, 1);
    process.stdout.write(`Created the admin "${username}"; sign in at ${config.service.publicUrl}/admin\n`);
    return 0;
  } catch (err) {
    if (err instanceof Interrupted) return 130;
    const message = err instanceof Error ? err.message : String(err);
    return fail(`cannot write to the database (${message}); has \`ytconv migrate\` been run?`, 1);
  } finally {
    await db.destroy();
  }
}

function fail(message: string, code: number): number {
  process.stderr.write(`ytconv admin: ${message}\n`);
  return code;
}

function passwordProblem(password: string): string | null {
  return password.length < MIN_PASSWORD ? `a password needs at least ${MIN_PASSWORD} characters` : null;
}

/** Ask until both entries match and are long enough, as createsuperuser does. */
async function askNewPassword(): Promise<string> {
  for (;;) {
    const password = await askHidden('Password: ');
    const again = await askHidden('Password (again): ');
    const problem = password !== again ? "the passwords didn't match" : passwordProblem(password);
    if (problem === null) return password;
    process.stderr.write(`Error: ${problem}.\n`);
  }
}

/** One line from the terminal, not echoed: readline writes through an output that drops the typing. */
async function askHidden(prompt: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, encoding, callback) {
      if (!muted) process.stdout.write(chunk, encoding);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const stop = new AbortController();
  rl.on('SIGINT', () => stop.abort());
  try {
    const answer = rl.question(prompt, { signal: stop.signal });
    muted = true;
    return await answer;
  } catch {
    throw new Interrupted();
  } finally {
    muted = false;
    process.stdout.write('\n');
    rl.close();
  }
}
