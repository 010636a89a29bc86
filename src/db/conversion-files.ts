/** A conversion's produced files, in order. They are written by finishConversion, together with `done`. */
import { type Db, inTransaction } from './database.ts';
import type { FileRow } from './tables/conversion-files.ts';

export async function listFiles(db: Db, conversionId: string): Promise<FileRow[]> {
  return db
    .selectFrom('conversion_files')
    .selectAll()
    .where('conversion_id', '=', conversionId)
    .orderBy('position')
    .execute();
}

/** The files of several conversions in one query, each list in order; conversions without files are absent. */
export async function listFilesOf(db: Db, conversionIds: readonly string[]): Promise<Map<string, FileRow[]>> {
  if (conversionIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('conversion_files')
    .selectAll()
    .where('conversion_id', 'in', conversionIds)
    .orderBy('position')
    .execute();
  return Map.groupBy(rows, (row) => row.conversion_id);
}

/**
 * Forget expired files and the cover beside them (after removing them from storage); the rows of
 * the work and its jobs stay, so pages can say so.
 */
export function deleteFiles(db: Db, conversionId: string): Promise<number> {
  return inTransaction(db, async (trx) => {
    await trx.updateTable('conversions').set({ cover: null }).where('id', '=', conversionId).execute();
    const result = await trx
      .deleteFrom('conversion_files')
      .where('conversion_id', '=', conversionId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}
