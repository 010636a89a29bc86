/**
 * A file made with SponsorBlock asked for says what came of it: the segments removed or marked, or
 * why none could be (the API failed, the video is not YouTube's), as JSON. Null when not asked.
 *
 * Self-contained, like every migration: it must keep meaning what it meant when it ran.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('conversion_files').addColumn('sponsorblock', 'text').execute();
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('conversion_files').dropColumn('sponsorblock').execute();
}
