/** Telling the person who asked that their conversion is done, or why it failed. */
import type { Kysely } from 'kysely';
import { listFiles } from '../db/conversion-files.ts';
import type { Database } from '../db/database.ts';
import { getJob, type Job, jobStatus } from '../db/jobs.ts';
import type { Mail, Mailer } from '../mailer.ts';
import { fileUrl } from './view.ts';

export interface EmailDeps {
  db: Kysely<Database>;
  mailer: Mailer;
  publicUrl: string;
}

export async function sendJobEmail(deps: EmailDeps, jobId: string, to: string): Promise<void> {
  const job = await getJob(deps.db, jobId);
  const status = job && jobStatus(job);
  if (!job || (status !== 'done' && status !== 'failed')) return;
  await deps.mailer.send(await composeJobEmail(deps, job, to));
}

export async function composeJobEmail(deps: EmailDeps, job: Job, to: string): Promise<Mail> {
  const page = `${deps.publicUrl}/jobs/${job.id}`;
  const work = job.conversion;
  const title = work.title ?? work.source_url;
  if (jobStatus(job) === 'failed') {
    return {
      to,
      subject: `Your conversion failed: ${title}`,
      text: `ytconv could not convert ${title}.\n\nReason: ${work.error_message ?? 'unknown'}\n\n${page}\n`,
    };
  }
  const files = await listFiles(deps.db, work.id);
  const list = files.map((f) => `- ${f.name}: ${deps.publicUrl}${fileUrl(job.id, f.name)}`);
  const until = work.expires_at ? `\nThe files are kept until ${new Date(work.expires_at).toUTCString()}.\n` : '';
  return {
    to,
    subject: `Your audio is ready: ${title}`,
    text: `Your conversion of ${title} is done.\n\n${list.join('\n')}\n\nAll of it on one page: ${page}\n${until}`,
  };
}
