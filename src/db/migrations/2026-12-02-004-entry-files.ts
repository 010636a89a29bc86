/**
 * Playlist entries as results of their own: each file row names the entry it was made from, and
 * an entry's stored state says how it ended (done, failed, or skipped when the playlist stopped)
 * and when, instead of a progress number; entries are known by position, no longer by URL.
 *
 * Self-contained, like every migration: it must keep meaning what it meant when it ran.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

type Entry = Record<string, unknown>;

async function rewriteEntries(db: Kysely<AnyDatabase>, change: (entry: Entry) => Entry): Promise<void> {
  const rows = await db.selectFrom('conversions').select(['id', 'entries']).where('entries', 'is not', null).execute();
  for (const row of rows as { id: string; entries: string }[]) {
    const entries = (JSON.parse(row.entries) as Entry[]).map(change);
    await db
      .updateTable('conversions')
      .set({ entries: JSON.stringify(entries) })
      .where('id', '=', row.id)
      .execute();
  }
}

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('conversion_files').addColumn('entry', 'integer').execute();
  await rewriteEntries(db, ({ title, status, error }) => ({
    title: title ?? null,
    status,
    error: error ?? null,
    finished_at: null,
  }));
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await rewriteEntries(db, ({ title, status, error }) => ({
    title,
    url: '',
    status: status === 'skipped' ? 'failed' : status,
    progress: status === 'done' ? 1 : null,
    error,
  }));
  await db.schema.alterTable('conversion_files').dropColumn('entry').execute();
}
