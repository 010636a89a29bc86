/**
 * A file's title and artist as tagged, for the M3U8 of a playlist's ZIP (`#EXTINF:…,Artist -
 * Title`). Null in rows made before: the ZIP's M3U8 then names the file by its name.
 *
 * Self-contained, like every migration: it must keep meaning what it meant when it ran.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('conversion_files').addColumn('title', 'text').execute();
  await db.schema.alterTable('conversion_files').addColumn('artist', 'text').execute();
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('conversion_files').dropColumn('artist').execute();
  await db.schema.alterTable('conversion_files').dropColumn('title').execute();
}
