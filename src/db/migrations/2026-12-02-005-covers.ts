/**
 * A conversion keeps the square cover its worker made (for the page, served by ytconv itself, so
 * that a viewer's browser never contacts the video site): the stored file's path, like files'.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('conversions').addColumn('cover', 'text').execute();
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('conversions').dropColumn('cover').execute();
}
