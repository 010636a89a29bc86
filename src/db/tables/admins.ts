import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Timestamp } from './conversions.ts';

export interface AdminsTable {
  id: Generated<number>;
  username: string;
  /** `scrypt$N$r$p$salt$hash`: the parameters travel with the hash so they can be raised later. */
  password_hash: string;
  created_at: Timestamp;
}

export type AdminRow = Selectable<AdminsTable>;
export type NewAdminRow = Insertable<AdminsTable>;
export type AdminUpdate = Updateable<AdminsTable>;
