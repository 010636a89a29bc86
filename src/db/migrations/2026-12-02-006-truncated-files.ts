/**
 * A file made from a source that ended early (a cut-off upload) says where: the second its audio
 * ended and the length the source declared. Both null for a file made from the whole source.
 *
 * Self-contained, like every migration: it must keep meaning what it meant when it ran.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('conversion_files').addColumn('truncated_at', 'double precision').execute();
  await db.schema.alterTable('conversion_files').addColumn('truncated_of', 'double precision').execute();
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('conversion_files').dropColumn('truncated_of').execute();
  await db.schema.alterTable('conversion_files').dropColumn('truncated_at').execute();
}
