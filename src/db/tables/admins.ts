import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Role } from '../../access.ts';
import type { Timestamp } from './conversions.ts';

export interface AdminsTable {
  id: Generated<number>;
  username: string;
  /** `scrypt$N$r$p$salt$hash`: the parameters travel with the hash so they can be raised later. */
  password_hash: string;
  created_at: Timestamp;
  /** `admin` may open /admin; `user` only the page and the API (YTCONV_ACCESS). */
  role: Generated<Role>;
}

export type AdminRow = Selectable<AdminsTable>;
export type NewAdminRow = Insertable<AdminsTable>;
export type AdminUpdate = Updateable<AdminsTable>;
