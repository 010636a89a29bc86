import type { Generated, Selectable } from 'kysely';
import type { ParkCause, Timestamp } from './conversions.ts';

/**
 * One row per site (a yt-dlp extractor's name before any `:`, such as `youtube`) that ever turned
 * this server away: whether its work is paused, why and until when, and how many conversions in a
 * row met its bot wall. The pause itself is the site queue's BullMQ rate limit; this row is what
 * pages and the admin read, and what the next pause's length is worked out from.
 */
export interface SiteStatesTable {
  site: string;
  /** Conversions in a row that met the bot wall; a success sets it back to 0. */
  bot_walls: Generated<number>;
  pause_cause: ParkCause | null;
  paused_at: Timestamp | null;
  paused_until: Timestamp | null;
  /** Pauses in a row (each started soon after the last ended): each lasts twice the one before. */
  pauses: Generated<number>;
}

export type SiteStateRow = Selectable<SiteStatesTable>;
