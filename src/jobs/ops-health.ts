/**
 * The admin's health panel, as plain data: the yt-dlp workers use (with its canary and JS
 * runtime), how each site's conversions went over the last hour, the pauses in force, the cookies
 * pool, and the failures by error code over the last hour and day with the latest of them.
 * Liveness for load balancers is health.ts's; this is for a person deciding what to do.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import {
  type FailureCountRow,
  type FailureRow,
  failureCountsSince,
  latestFailures,
  siteOutcomesSince,
} from '../db/site-health.ts';
import type { ParkCause, Timestamp } from '../db/tables/conversions.ts';
import { siteOf } from '../pipeline/extractors.ts';
import type { Storage } from '../storage.ts';
import { type CookiesStatus, cookiesStatus } from './cookies-pool.ts';
import { sitePauses } from './parking.ts';
import { type YtdlpStatus, type YtdlpStatusDeps, ytdlpStatus } from './ytdlp-status.ts';

export type { FailureCountRow, FailureRow } from '../db/site-health.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Enough to see a pattern at a glance; the job list holds the rest. */
const LATEST_FAILURES = 10;

/** How one site's conversions went over the last hour. */
export interface SiteRate {
  /**
   * A yt-dlp extractor name before any `:` (`youtube` for `youtube:tab` too); null for links whose
   * site was not known yet when they failed (only YouTube's are known from the link alone).
   */
  site: string | null;
  done: number;
  failed: number;
  /** Turned away (rate limit, bot wall, broken extractor) and waiting to run again. */
  parked: number;
  /** Done out of all that ended or were turned away, 0..1. */
  successRate: number;
}

export interface PauseInForce {
  site: string;
  cause: ParkCause;
  /** What its waiting jobs say. */
  message: string;
  until: Timestamp | null;
}

export interface OpsHealth {
  ytdlp: YtdlpStatus;
  sites: SiteRate[];
  pauses: PauseInForce[];
  /** Empty when no cookies pool is configured. */
  cookies: CookiesStatus[];
  /** Failed conversions by error code, most frequent over the day first. */
  failures: FailureCountRow[];
  latest: FailureRow[];
}

export interface OpsHealthDeps {
  db: Kysely<Database>;
  storage: Storage;
  ytdlp: Pick<YtdlpStatusDeps, 'engine' | 'settings'>;
}

export async function opsHealth(deps: OpsHealthDeps, now: Timestamp = Date.now()): Promise<OpsHealth> {
  const { db } = deps;
  const [ytdlp, outcomes, pauses, cookies, failures, latest] = await Promise.all([
    ytdlpStatus({ db, storage: deps.storage, ...deps.ytdlp }),
    siteOutcomesSince(db, now - HOUR_MS),
    sitePauses(db, now),
    cookiesStatus(db, deps.ytdlp.engine.cookies?.files ?? []),
    failureCountsSince(db, { hour: now - HOUR_MS, day: now - DAY_MS }),
    latestFailures(db, LATEST_FAILURES),
  ]);
  return {
    ytdlp,
    sites: siteRates(outcomes),
    pauses: [...pauses].map(([site, waiting]) => ({ site, ...waiting })),
    cookies,
    failures: failures.toSorted((a, b) => b.lastDay - a.lastDay || b.lastHour - a.lastHour),
    latest,
  };
}

/** Sites as pauses count them (extractor names before any `:`), busiest first; uploads are no site's. */
function siteRates(rows: readonly { site: string | null; done: number; failed: number; parked: number }[]) {
  const bySite = new Map<string | null, SiteRate>();
  for (const row of rows) {
    if (row.site === 'upload') continue;
    const site = row.site === null ? null : siteOf(row.site);
    const found = bySite.get(site) ?? { site, done: 0, failed: 0, parked: 0, successRate: 0 };
    found.done += row.done;
    found.failed += row.failed;
    found.parked += row.parked;
    bySite.set(site, found);
  }
  const rates = [...bySite.values()].map((s) => ({ ...s, successRate: s.done / (s.done + s.failed + s.parked) }));
  return rates.toSorted((a, b) => b.done + b.failed + b.parked - (a.done + a.failed + a.parked));
}
