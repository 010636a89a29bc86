/** A job's produced files, in order. They are written by finishJob, together with `done`. */
import type { Db } from './database.ts';
import type { JobFileRow } from './tables/job-files.ts';

export async function listFiles(db: Db, jobId: string): Promise<JobFileRow[]> {
  return db.selectFrom('job_files').selectAll().where('job_id', '=', jobId).orderBy('position').execute();
}

/** Forget an expired job's files (after removing them from storage); the job row stays, so its page can say so. */
export async function deleteFiles(db: Db, jobId: string): Promise<number> {
  const result = await db.deleteFrom('job_files').where('job_id', '=', jobId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface FileTotals {
  count: number;
  /** Bytes. */
  size: number;
}

/** Each job's number of files and their total size, in one query; jobs without files are absent. */
export async function fileTotals(db: Db, jobIds: readonly string[]): Promise<Map<string, FileTotals>> {
  if (jobIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('job_files')
    .select((eb) => ['job_id', eb.fn.countAll().as('count'), eb.fn.sum('size').as('size')])
    .where('job_id', 'in', jobIds)
    .groupBy('job_id')
    .execute();
  // PostgreSQL returns a sum of bigints as numeric text.
  return new Map(rows.map((row) => [row.job_id, { count: Number(row.count), size: Number(row.size) }]));
}
