/**
 * The people who may sign in: admins (the admin area, the page and the API) and users (the page and
 * the API only, for YTCONV_ACCESS=login or apikey). One table, a role per person.
 */

import type { ExpressionBuilder } from 'kysely';
import type { Role } from '../access.ts';
import type { Database, Db } from './database.ts';
import { hashPassword, verifyPassword } from './password.ts';
import type { AdminRow } from './tables/admins.ts';

export type Admin = Omit<AdminRow, 'password_hash'>;

/**
 * A hash of a password nobody has, checked when the username is unknown so that a wrong
 * username takes as long as a wrong password and does not tell which usernames exist.
 */
let decoy: Promise<string> | undefined;

const PUBLIC_COLUMNS = ['id', 'username', 'role', 'created_at'] as const;

/** Null, creating nothing, when the username is taken. */
export async function createAdmin(
  db: Db,
  username: string,
  password: string,
  { role = 'admin', now = Date.now() }: { role?: Role; now?: number } = {},
): Promise<Admin | null> {
  const password_hash = await hashPassword(password);
  const row = await db
    .insertInto('admins')
    .values({ username, password_hash, role, created_at: now })
    .onConflict((oc) => oc.column('username').doNothing())
    .returning(PUBLIC_COLUMNS)
    .executeTakeFirst();
  return row ?? null;
}

/** Whether the username is taken, so that `ytconv admin create` can say so before asking for a password. */
export async function adminExists(db: Db, username: string): Promise<boolean> {
  const row = await db.selectFrom('admins').select('id').where('username', '=', username).executeTakeFirst();
  return row !== undefined;
}

/** The role of a person who may sign in, or null when there is no such person (any more). */
export async function roleOf(db: Db, username: string): Promise<Role | null> {
  const row = await db.selectFrom('admins').select('role').where('username', '=', username).executeTakeFirst();
  return row?.role ?? null;
}

/** Everyone who may sign in, oldest first. */
export async function listAdmins(db: Db): Promise<Admin[]> {
  return db.selectFrom('admins').select(PUBLIC_COLUMNS).orderBy('created_at').orderBy('id').execute();
}

/** False, changing nothing, when there is no such admin. */
export async function setAdminPassword(db: Db, username: string, password: string): Promise<boolean> {
  const password_hash = await hashPassword(password);
  const result = await db
    .updateTable('admins')
    .set({ password_hash })
    .where('username', '=', username)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export type AdminRemoval = 'deleted' | 'not_found' | 'last';

/**
 * Forget someone. Unless `force`, the last admin stays ('last'): without one nobody can sign in to
 * the admin area (users may always go). The count is checked inside the DELETE rather than read beforehand, so that nothing
 * another command does can fall between the check and the delete (short of two deletes
 * committing at the same instant on PostgreSQL, which a command run by hand need not fear).
 */
export async function deleteAdmin(db: Db, username: string, { force = false } = {}): Promise<AdminRemoval> {
  let query = db.deleteFrom('admins').where('username', '=', username);
  if (!force) {
    const admins = (eb: ExpressionBuilder<Database, 'admins'>) =>
      eb.selectFrom('admins as other').where('other.role', '=', 'admin').select(eb.fn.countAll().as('n'));
    query = query.where((eb) => eb.or([eb('role', '!=', 'admin'), eb(admins(eb), '>', 1)]));
  }
  const result = await query.executeTakeFirst();
  if (result.numDeletedRows > 0n) return 'deleted';
  return (await adminExists(db, username)) ? 'last' : 'not_found';
}

/** The admin when the username and password match, else null (whichever of the two was wrong). */
export async function verifyAdmin(db: Db, username: string, password: string): Promise<Admin | null> {
  const row = await db.selectFrom('admins').selectAll().where('username', '=', username).executeTakeFirst();
  if (row === undefined) {
    decoy ??= hashPassword('');
    await verifyPassword(password, await decoy);
    return null;
  }
  const { password_hash, ...admin } = row;
  return (await verifyPassword(password, password_hash)) ? admin : null;
}
