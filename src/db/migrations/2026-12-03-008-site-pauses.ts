/**
 * Sites are paced and paused: a conversion the site turned away for a while (a rate limit, the bot
 * wall, an extractor yt-dlp must be updated for) is parked instead of failed, says why and until
 * when, and counts how often it was; each site has a row saying whether it is paused, why and
 * until when, and how many conversions in a row met its bot wall.
 *
 * Self-contained, like every migration: it must keep meaning what it meant when it ran.
 */
import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

const CAUSES = (column: string) => sql<boolean>`${sql.ref(column)} in ('rate_limited', 'bot_wall', 'extractor_broken')`;

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema
    .alterTable('conversions')
    .addColumn('park_cause', 'text', (col) => col.check(CAUSES('park_cause')))
    .execute();
  await db.schema.alterTable('conversions').addColumn('park_until', 'bigint').execute();
  await db.schema
    .alterTable('conversions')
    .addColumn('parks', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('conversions_park_cause').on('conversions').column('park_cause').execute();
  await db.schema
    .createTable('site_states')
    .addColumn('site', 'text', (col) => col.primaryKey())
    .addColumn('bot_walls', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('pause_cause', 'text', (col) => col.check(CAUSES('pause_cause')))
    .addColumn('paused_at', 'bigint')
    .addColumn('paused_until', 'bigint')
    .addColumn('pauses', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.dropTable('site_states').execute();
  await db.schema.dropIndex('conversions_park_cause').execute();
  for (const column of ['parks', 'park_until', 'park_cause']) {
    await db.schema.alterTable('conversions').dropColumn(column).execute();
  }
}
