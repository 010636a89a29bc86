/** The email job: tell the person who asked that their conversion is done, or why it failed. */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { listFiles } from '../../db/job-files.ts';
import { getJob, type Job } from '../../db/jobs.ts';
import { fileUrl } from '../../jobs/view.ts';
import type { Mail, Mailer } from '../../mailer.ts';

export interface EmailDeps {
  db: Kysely<Database>;
  mailer: Mailer;
  publicUrl: string;
}

export async function sendJobEmail(deps: EmailDeps, jobId: string, to: string): Promise<void> {
  const job = await getJob(deps.db, jobId);
  if (!job || (job.status !== 'done' && job.status !== 'failed')) return;
  await deps.mailer.send(await composeJobEmail(deps, job, to));
}

export async function composeJobEmail(deps: EmailDeps, job: Job, to: string): Promise<Mail> {
  const page = `${deps.publicUrl}/jobs/${job.id}`;
  const title = job.title ?? job.source_url;
  if (job.status === 'failed') {
    return {
      to,
      subject: `Your conversion failed: ${title}`,
      text: `ytconv could not convert ${title}.\n\nReason: ${job.error_message ?? 'unknown'}\n\n${page}\n`,
    };
  }
  const files = await listFiles(deps.db, job.id);
  const list = files.map((f) => `- ${f.name}: ${deps.publicUrl}${fileUrl(job.id, f.name)}`);
  const until = job.expires_at ? `\nThe files are kept until ${new Date(job.expires_at).toUTCString()}.\n` : '';
  return {
    to,
    subject: `Your audio is ready: ${title}`,
    text: `Your conversion of ${title} is done.\n\n${list.join('\n')}\n\nAll of it on one page: ${page}\n${until}`,
  };
}
