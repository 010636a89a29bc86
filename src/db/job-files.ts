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
