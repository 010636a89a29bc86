import type { Generated, Selectable } from 'kysely';
import type { Timestamp } from './conversions.ts';

/** One file of the operator's cookies pool, by its name (the same on every machine). */
export interface CookiesPoolTable {
  name: string;
  /** 0 for a file never lent. */
  last_used_at: Generated<Timestamp>;
  uses: Generated<number>;
  /** Set while the file is aside; null once it is back in use. */
  set_aside_at: Timestamp | null;
  /** When it comes back by itself; null while aside: until an operator puts it back. */
  set_aside_until: Timestamp | null;
  /** Bot walls it met, in all. */
  bot_walls: Generated<number>;
}

export type CookiesPoolRow = Selectable<CookiesPoolTable>;
