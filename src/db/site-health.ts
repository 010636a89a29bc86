/**
 * What the admin's health panel counts of the conversions table: how the work of each site ended
 * lately, which error codes failures had, and the failures themselves, newest first. Each query is
 * a range scan of an index (status then end time, or the park cause), never of the whole table.
 * Counts come back as numbers on both dialects (PostgreSQL gives bigint counts as text).
 */
import type { ErrorCode } from '../errors.ts';
import type { Db } from './database.ts';
import type { Timestamp } from './tables/conversions.ts';

/** How the conversions of one site (as recorded: a yt-dlp extractor name, or null) went since a time. */
export interface SiteOutcomeRow {
  site: string | null;
  done: number;
  failed: number;
  /** Turned away and waiting to run again (parked since then, still queued). */
  parked: number;
}

export async function siteOutcomesSince(db: Db, since: Timestamp): Promise<SiteOutcomeRow[]> {
  const [ended, parked] = await Promise.all([
    db
      .selectFrom('conversions')
      .select((eb) => ['source_site', 'status', eb.fn.countAll().as('n')])
      .where('status', 'in', ['done', 'failed'])
      .where('finished_at', '>=', since)
      .groupBy(['source_site', 'status'])
      .execute(),
    db
      .selectFrom('conversions')
      .select((eb) => ['source_site', eb.fn.countAll().as('n')])
      .where('park_cause', 'is not', null)
      .where('status', '=', 'queued')
      .where('updated_at', '>=', since)
      .groupBy('source_site')
      .execute(),
  ]);
  const bySite = new Map<string | null, SiteOutcomeRow>();
  const row = (site: string | null) => {
    const found = bySite.get(site) ?? { site, done: 0, failed: 0, parked: 0 };
    bySite.set(site, found);
    return found;
  };
  for (const r of ended) row(r.source_site)[r.status === 'done' ? 'done' : 'failed'] += Number(r.n);
  for (const r of parked) row(r.source_site).parked += Number(r.n);
  return [...bySite.values()];
}

/** Failed conversions per error code: those that ended since `day`, and of them those since `hour`. */
export interface FailureCountRow {
  code: ErrorCode;
  lastHour: number;
  lastDay: number;
}

export async function failureCountsSince(
  db: Db,
  since: { hour: Timestamp; day: Timestamp },
): Promise<FailureCountRow[]> {
  const rows = await db
    .selectFrom('conversions')
    .select((eb) => [
      'error_code',
      eb.fn.countAll().as('day'),
      eb.fn.sum(eb.case().when('finished_at', '>=', since.hour).then(eb.lit(1)).else(eb.lit(0)).end()).as('hour'),
    ])
    .where('status', '=', 'failed')
    .where('finished_at', '>=', since.day)
    .where('error_code', 'is not', null)
    .groupBy('error_code')
    .execute();
  return rows.flatMap((r) =>
    r.error_code === null ? [] : [{ code: r.error_code, lastHour: Number(r.hour), lastDay: Number(r.day) }],
  );
}

/** One failed conversion, as the panel lists the latest. */
export interface FailureRow {
  site: string | null;
  url: string;
  title: string | null;
  code: ErrorCode | null;
  message: string | null;
  finishedAt: Timestamp;
}

export async function latestFailures(db: Db, limit: number): Promise<FailureRow[]> {
  const rows = await db
    .selectFrom('conversions')
    .select(['source_site', 'source_url', 'title', 'error_code', 'error_message', 'finished_at'])
    .where('status', '=', 'failed')
    .where('finished_at', 'is not', null)
    .orderBy('finished_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    site: r.source_site,
    url: r.source_url,
    title: r.title,
    code: r.error_code,
    message: r.error_message,
    finishedAt: Number(r.finished_at),
  }));
}
