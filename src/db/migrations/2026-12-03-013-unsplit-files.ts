/**
 * A file made whole although a split by chapters was asked, because its media had no chapters,
 * says so (1), for the job's page, the API and the CLI to tell; 0 for every other file.
 *
 * Self-contained, like every migration: it must keep meaning what it meant when it ran.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema
    .alterTable('conversion_files')
    .addColumn('unsplit', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('conversion_files').dropColumn('unsplit').execute();
}
