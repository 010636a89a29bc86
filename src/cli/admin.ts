/**
 * `ytconv admin create|list|passwd|delete`: the people who may sign in (admins to /admin, users
 * with `--role user` to the page of a private instance), managed like Django's
 * createsuperuser/changepassword. A new password is asked twice on the terminal, without
 * echo; scripts give it in YTCONV_ADMIN_PASSWORD instead. `ytconv admin cookies` shows the cookies
 * pool and `cookies-back NAME` puts a file that was set aside back in use.
 */
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { ROLES, type Role, SIGN_IN_PATH } from '../access.ts';
import type { Config } from '../config.ts';
import { adminExists, createAdmin, deleteAdmin, listAdmins, setAdminPassword } from '../db/admins.ts';
import { openDatabase } from '../db/connect.ts';
import { putCookiesBack } from '../db/cookies-pool.ts';
import type { Database } from '../db/database.ts';
import { cookiesStatus } from '../jobs/cookies-pool.ts';
import { formatTime } from '../web/admin/format.ts';
import { cookiesLines } from './cookies-lines.ts';
import { askNewPassword, Interrupted, passwordProblem } from './password-prompt.ts';

const USAGE = `usage: ytconv admin create USERNAME [--role admin|user]
       ytconv admin list
       ytconv admin passwd USERNAME
       ytconv admin delete USERNAME [--force]
       ytconv admin cookies
       ytconv admin cookies-back NAME`;
/** Django's rule, so that names carried over from the seed project still fit. */
const USERNAME = /^[\w.@+-]{1,150}$/;

/** A refusal in our words, with its exit code. */
export class Refused extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

type Db = Kysely<Database>;
export type Action = (db: Db) => Promise<void>;

export function runAdmin(argv: string[], config: Config): Promise<number> {
  return runOnDatabase('admin', () => parse(argv, config), config);
}

/**
 * A subcommand of `ytconv COMMAND` that works on the database: 0 when done, 1 when refused, 2 for a
 * mistyped command, 130 when a prompt is left with Ctrl-C.
 */
export async function runOnDatabase(command: string, parse: () => Action, config: Config): Promise<number> {
  const fail = (message: string, code: number) => {
    process.stderr.write(`ytconv ${command}: ${message}\n`);
    return code;
  };
  let db: Db | undefined;
  try {
    // Everything that can be refused without the database is refused before opening it.
    const action = parse();
    db = openDatabase(config.service.databaseUrl);
    await action(db);
    return 0;
  } catch (err) {
    if (err instanceof Interrupted) return 130;
    if (err instanceof Refused) return fail(err.message, err.exitCode);
    const message = err instanceof Error ? err.message : String(err);
    return fail(`cannot use the database (${message}); has \`ytconv migrate\` been run?`, 1);
  } finally {
    await db?.destroy();
  }
}

function parse(argv: string[], config: Config): Action {
  const [action, ...given] = argv;
  const { role, rest } = action === 'create' ? roleOption(given) : { role: 'admin' as const, rest: given };
  const force = action === 'delete' && rest.includes('--force');
  const args = force ? rest.filter((arg) => arg !== '--force') : rest;
  if (action === 'list' && args.length === 0) return list;
  if (action === 'cookies' && args.length === 0) return (db) => listCookies(db, config);
  const [username, ...extra] = args;
  if (username === undefined || extra.length > 0) throw new Refused(USAGE, 2);
  switch (action) {
    case 'create':
      if (!USERNAME.test(username)) throw new Refused('a username is 1 to 150 letters, digits and @ . + - _', 2);
      return create(username, role, newPassword(config), config.service.publicUrl);
    case 'passwd':
      return passwd(username, newPassword(config));
    case 'delete':
      return (db) => remove(db, username, force);
    case 'cookies-back':
      return (db) => cookiesBack(db, username);
    default:
      throw new Refused(USAGE, 2);
  }
}

/** `--role admin|user` (admin when absent), and the other arguments. */
function roleOption(args: string[]): { role: Role; rest: string[] } {
  let parsed: { values: { role: string }; positionals: string[] };
  try {
    const options = { role: { type: 'string', default: 'admin' } } as const;
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch {
    throw new Refused(USAGE, 2);
  }
  const role = ROLES.find((known) => known === parsed.values.role);
  if (role === undefined) throw new Refused(`--role is one of: ${ROLES.join(', ')}`, 2);
  return { role, rest: parsed.positionals };
}

function create(username: string, role: Role, password: () => Promise<string>, publicUrl: string): Action {
  return async (db) => {
    const taken = new Refused(`the user "${username}" already exists`);
    if (await adminExists(db, username)) throw taken;
    // Null when the same name was taken meanwhile.
    if ((await createAdmin(db, username, await password(), { role })) === null) throw taken;
    if (role === 'admin') say(`Created the admin "${username}"; sign in at ${publicUrl}/admin`);
    else say(`Created the user "${username}"; sign in at ${publicUrl}${SIGN_IN_PATH}`);
  };
}

function passwd(username: string, password: () => Promise<string>): Action {
  return async (db) => {
    if (!(await adminExists(db, username))) throw noSuchAdmin(username);
    if (!(await setAdminPassword(db, username, await password()))) throw noSuchAdmin(username);
    say(`Changed the password of "${username}".`);
  };
}

async function list(db: Db): Promise<void> {
  const admins = await listAdmins(db);
  if (admins.length === 0) {
    say('No admins yet. Add one with: ytconv admin create USERNAME');
    return;
  }
  const width = Math.max('USERNAME'.length, ...admins.map((admin) => admin.username.length));
  say(`${'USERNAME'.padEnd(width)}  ROLE   CREATED`);
  for (const admin of admins) {
    say(`${admin.username.padEnd(width)}  ${admin.role.padEnd(5)}  ${formatTime(admin.created_at)}`);
  }
}

async function remove(db: Db, username: string, force: boolean): Promise<void> {
  const outcome = await deleteAdmin(db, username, { force });
  if (outcome === 'not_found') throw noSuchAdmin(username);
  if (outcome === 'last') {
    throw new Refused(
      `"${username}" is the only admin; without one nobody can sign in to /admin. ` +
        'Create another admin first, or add --force to delete it anyway.',
    );
  }
  say(`Deleted the admin "${username}".`);
  if (!(await listAdmins(db)).some((admin) => admin.role === 'admin'))
    say('There are no admins left: add one with ytconv admin create USERNAME.');
}

async function listCookies(db: Db, config: Config): Promise<void> {
  const files = config.engine.cookies?.files ?? [];
  const pool = await cookiesStatus(db, files);
  if (pool.length === 0) say('No cookies pool: set YTCONV_COOKIES_FILE or YTCONV_COOKIES_DIR (see the README).');
  for (const line of cookiesLines(pool)) say(line);
}

async function cookiesBack(db: Db, name: string): Promise<void> {
  if (!(await putCookiesBack(db, name))) {
    throw new Refused(`the cookies pool has no file "${name}" (ytconv admin cookies lists them)`);
  }
  say(`"${name}" is back in the cookies pool.`);
}

/**
 * Where a new password comes from: YTCONV_ADMIN_PASSWORD, else the terminal. Checked before the
 * database is opened, so a script learns at once that it cannot work.
 */
function newPassword(config: Config): () => Promise<string> {
  const given = config.service.adminPassword;
  if (given !== null) {
    const problem = passwordProblem(given);
    if (problem !== null) throw new Refused(`YTCONV_ADMIN_PASSWORD: ${problem}`);
    return async () => given;
  }
  if (!process.stdin.isTTY) throw new Refused('no terminal to ask for the password on: set YTCONV_ADMIN_PASSWORD');
  return askNewPassword;
}

function noSuchAdmin(username: string): Refused {
  return new Refused(`there is no admin "${username}" (ytconv admin list shows who there is)`);
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
