/**
 * Failures a site causes for a while, not for good, park a conversion instead of failing it: the
 * site rate-limits this server, shows it the bot wall, or changed so that yt-dlp cannot read it
 * until it is updated. A parked conversion is queued again, says why it waits and until when, and
 * runs again once: when its site's pause lifts, or (a broken extractor) when requeueParked is
 * called after a yt-dlp update. Meeting the same failure on that run fails it for good.
 *
 * A rate limit pauses the site's work at once; the bot wall does when it meets several
 * conversions in a row (one may be a fluke; a run of them is the server's address being blocked).
 * The pause itself is BullMQ's: the site queue's rate limit (queue/handlers/convert.ts); the
 * site's row (db/site-states.ts) is what pages read, and what the next pause's length comes from.
 */
import { unparkConversions } from '../db/conversion-state.ts';
import type { Db } from '../db/database.ts';
import { clearBotWalls, countBotWall, endPause, pausedSites, startPause } from '../db/site-states.ts';
import type { ParkCause, Timestamp } from '../db/tables/conversions.ts';
import type { ConvertError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { siteOf } from '../pipeline/extractors.ts';
import { findConvertMessage, type Queues, sendConvert } from '../queue/queues.ts';
import { sitePausedNotice, type TellOperator } from './operator-notices.ts';

/** What a waiting job says, per cause; `until` (when known) goes beside it. */
export const WAITING_MESSAGES: Readonly<Record<ParkCause, string>> = {
  rate_limited:
    'The video site is limiting how much this server may fetch, so this conversion waits and then starts again by itself.',
  bot_wall:
    'The video site asked this server to prove it is not a bot, so this conversion waits and then tries again by itself.',
  extractor_broken:
    'The video site changed in a way this server’s yt-dlp cannot read yet; this conversion runs again by itself once yt-dlp is updated.',
};

/** Why a queued job waits, as its view shows it. */
export interface Waiting {
  cause: ParkCause;
  message: string;
  /** When it is expected to start again; null when that waits for a yt-dlp update. */
  until: Timestamp | null;
}

export interface ParkRules {
  /** The first pause of a site; each pause in a row lasts twice as long, up to MAX_PAUSE_FACTOR times. */
  pauseMs: number;
  /** Conversions in a row meeting a site's bot wall that pause its work. */
  botWallsToPause: number;
}

/** A run of pauses (the site keeps refusing) grows no longer than this many first pauses. */
const MAX_PAUSE_FACTOR = 8;
/**
 * A conversion parked for a broken extractor runs again after this even if no yt-dlp update came
 * (updates off, or none fixed it): the updater looks at most daily, so a day gives it its chance.
 */
const BROKEN_RETRY_MS = 24 * 3_600_000;
/** Parked this often, a conversion meeting the same failure again fails for good. */
const MAX_PARKS = 1;

/** The cause a failure parks a conversion for, or null when it fails for good. */
export function parkCauseOf(err: ConvertError): ParkCause | null {
  if (err.code === 'rate_limited') return 'rate_limited';
  if (err.botWall) return 'bot_wall';
  if (err.code === 'extractor_broken') return 'extractor_broken';
  return null;
}

/** Whether a conversion parked `parks` times so far may be parked again. */
export function mayPark(parks: number): boolean {
  return parks < MAX_PARKS;
}

/** How a conversion is parked: until when, and whether its whole site pauses until then. */
export interface Parking {
  cause: ParkCause;
  until: Timestamp;
  pauseSite: boolean;
}

/** Count the failure against the site, pausing it when it calls for that (and telling the operator); say how to park. */
export async function planParking(
  deps: { db: Db; parkRules: ParkRules; log: Logger; tellOperator: TellOperator },
  site: string | null,
  cause: ParkCause,
  now: Timestamp = Date.now(),
): Promise<Parking> {
  const { db, parkRules, log } = deps;
  if (cause === 'extractor_broken' || site === null) {
    const until = now + (cause === 'extractor_broken' ? BROKEN_RETRY_MS : parkRules.pauseMs);
    return { cause, until, pauseSite: false };
  }
  const key = siteOf(site);
  const walls = cause === 'bot_wall' ? await countBotWall(db, key) : 0;
  if (cause === 'bot_wall' && walls < parkRules.botWallsToPause) {
    return { cause, until: now + parkRules.pauseMs, pauseSite: false };
  }
  const length = { baseMs: parkRules.pauseMs, maxMs: parkRules.pauseMs * MAX_PAUSE_FACTOR };
  const until = await startPause(db, key, cause, length, now);
  const message = `${key} paused: ${WAITING_MESSAGES[cause]} Its conversions wait until then.`;
  log.warn({ site: key, cause, until: new Date(until).toISOString() }, message);
  await deps.tellOperator(sitePausedNotice(key, cause, until, message));
  return { cause, until, pauseSite: true };
}

/** A conversion of the site went through: its bot walls no longer come in a row. */
export async function siteWorked(db: Db, site: string | null): Promise<void> {
  if (site !== null) await clearBotWalls(db, siteOf(site));
}

/** The pauses in force at `now`, by site, for views of queued jobs. */
export async function sitePauses(db: Db, now: Timestamp = Date.now()): Promise<ReadonlyMap<string, Waiting>> {
  const rows = await pausedSites(db, now);
  return new Map(
    rows.flatMap((row) =>
      row.pause_cause === null
        ? []
        : [[row.site, { cause: row.pause_cause, message: WAITING_MESSAGES[row.pause_cause], until: row.paused_until }]],
    ),
  );
}

/**
 * Lift a site's pause now (its operator fixed the cause: fresh cookies, a proxy): BullMQ's rate
 * limit on its queue goes, and its waiting conversions start within a second or so.
 */
export async function resumeSite(deps: { db: Db; queues: Queues }, site: string): Promise<void> {
  await endPause(deps.db, site);
  await deps.queues.sites.get(site)?.removeRateLimitKey();
}

/**
 * Run again, once each, the conversions parked for `cause`: the yt-dlp updater calls this with
 * `extractor_broken` after it switched to a newer yt-dlp. Their queue messages wait (delayed) for
 * the fallback retry: each is promoted to run now, or sent again if Redis lost it. Returns how many.
 */
export async function requeueParked(deps: { db: Db; queues: Queues }, cause: ParkCause): Promise<number> {
  const works = await unparkConversions(deps.db, cause);
  for (const work of works) {
    const message = await findConvertMessage(deps.queues, work.id);
    if (message && (await message.isDelayed())) await message.promote();
    else if (!message || (await message.isCompleted()) || (await message.isFailed())) {
      await message?.remove();
      await sendConvert(deps.queues, { id: work.id, site: work.source_site });
    }
  }
  return works.length;
}

/** What a yt-dlp switch (ytdlp-updates.ts onSwitched) sets off: what the old extractor failed runs again. */
export function rerunAfterYtdlpSwitch(deps: { db: Db; queues: Queues }, said: (count: number) => void) {
  return async (): Promise<void> => {
    const count = await requeueParked(deps, 'extractor_broken');
    if (count > 0) said(count);
  };
}
