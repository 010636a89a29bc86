/**
 * Playlist jobs keep each entry's state (JSON text: the page shows one row per entry), and a job
 * records why its email could not be sent once the retries are used up.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('entries', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('email_error', 'text').execute();
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('email_error').execute();
  await db.schema.alterTable('jobs').dropColumn('entries').execute();
}
