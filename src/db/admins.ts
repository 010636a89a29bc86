/** The people who may open /admin. */
import type { Db } from './database.ts';
import { hashPassword, verifyPassword } from './password.ts';
import type { AdminRow } from './tables/admins.ts';

export type Admin = Omit<AdminRow, 'password_hash'>;

/**
 * A hash of a password nobody has, checked when the username is unknown so that a wrong
 * username takes as long as a wrong password and does not tell which usernames exist.
 */
let decoy: Promise<string> | undefined;

/** Null, creating nothing, when the username is taken. */
export async function createAdmin(db: Db, username: string, password: string, now = Date.now()): Promise<Admin | null> {
  const password_hash = await hashPassword(password);
  const row = await db
    .insertInto('admins')
    .values({ username, password_hash, created_at: now })
    .onConflict((oc) => oc.column('username').doNothing())
    .returning(['id', 'username', 'created_at'])
    .executeTakeFirst();
  return row ?? null;
}

/** Whether the username is taken, so that `ytconv admin create` can say so before asking for a password. */
export async function adminExists(db: Db, username: string): Promise<boolean> {
  const row = await db.selectFrom('admins').select('id').where('username', '=', username).executeTakeFirst();
  return row !== undefined;
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
