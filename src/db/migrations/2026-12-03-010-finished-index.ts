/**
 * The admin's health panel asks, every time it is shown, how the conversions that ended in the
 * last hour and day went (per site, per error code) and which failed last: one index on status
 * then end time answers each of those by a range scan, however many conversions the table holds.
 *
 * Self-contained, like every migration: it must keep meaning what it meant when it ran.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema
    .createIndex('conversions_status_finished_at')
    .on('conversions')
    .columns(['status', 'finished_at'])
    .execute();
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.dropIndex('conversions_status_finished_at').execute();
}
