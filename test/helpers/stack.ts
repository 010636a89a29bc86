/**
 * The service stack for end-to-end tests: a fresh database (SQLite, or PostgreSQL when
 * DATABASE_URL names one), the machine's Redis under a private key prefix, storage in a temp
 * directory, the jobs API as the web process builds it, an in-process worker, and the stand-in
 * video site. Nothing is shared between stacks.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig } from '../../src/config.ts';
import { conversionOf } from '../../src/db/jobs.ts';
import { migrate } from '../../src/db/migrate.ts';
import type { JobStatus, JobsApi, JobView, StoredFile } from '../../src/jobs/types.ts';
import { createLogger } from '../../src/log.ts';
import { createMailer, type Mail } from '../../src/mailer.ts';
import { openJobEvents } from '../../src/queue/events.ts';
import { convertQueues } from '../../src/queue/queues.ts';
import { startWorkers, type Workers } from '../../src/queue/worker.ts';
import { ensureRedis } from '../../src/redis-local.ts';
import { jobsApiOf, openServices, parkRulesOf, type Services, webhookSettingsOf } from '../../src/services.ts';
import { type Site, startSite } from '../site/server.ts';
import { freshDatabaseUrl } from './database.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export interface Stack {
  site: Site;
  config: Config;
  services: Services;
  jobs: JobsApi;
  /** Environment for a worker or web process of this stack (same database, storage, prefix). */
  env: NodeJS.ProcessEnv;
  /** Emails the log mailer printed (when no SMTP_URL is given). */
  mails: Mail[];
  startWorker(): Promise<Workers>;
  /** Where the files of a job's conversion are stored (shared by identical jobs). */
  storageDir(jobId: string): Promise<string>;
  /** The files a job's view lists, on disk. */
  files(jobId: string): Promise<StoredFile[]>;
  waitFor(id: string, status: JobStatus, timeoutMs?: number): Promise<JobView>;
  /** Jobs in the database: a refused request must leave the count as it was. */
  jobCount(): Promise<number>;
  /** Resolves with the job once `check` holds, looking at each change the service signals. */
  waitUntil(id: string, check: (view: JobView) => boolean, timeoutMs?: number): Promise<JobView>;
  close(): Promise<void>;
}

export async function startStack(extraEnv: NodeJS.ProcessEnv = {}): Promise<Stack> {
  const site = await startSite();
  const dir = await mkdtemp(join(tmpdir(), 'ytconv-stack-'));
  const database = await freshDatabaseUrl();
  const prefix = `ytconv-test-${randomBytes(6).toString('hex')}`;
  // The machine's Redis when one answers; else a private one for this test file.
  const redis = await ensureRedis(
    process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    join(dir, 'redis'),
    loadConfig(process.env, ROOT).service.redisServer,
    await freePort(),
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REDIS_URL: redis.url,
    PYTHONPATH: [site.pluginDir, process.env.PYTHONPATH].filter(Boolean).join(':'),
    YTCONV_ALLOWED_SITES: '*',
    YTCONV_ALLOW_PRIVATE_ADDRESSES: 'yes',
    DATABASE_URL: database.url,
    YTCONV_STORAGE_DIR: join(dir, 'storage'),
    YTCONV_QUEUE_PREFIX: prefix,
    // No test reaches GitHub: a test of the updates turns them on with a stand-in release.
    YTCONV_YTDLP_UPDATES: 'off',
    // Else the service keeps a key of its own in the checkout's var/ (secret-key.ts).
    SECRET_KEY: 'a stack key that signs nothing real',
    // The stand-in site's SponsorBlock-like API instead of sponsor.ajay.app.
    YTCONV_SPONSORBLOCK_API: site.origin,
    ...extraEnv,
  };
  const config = loadConfig(env, ROOT);
  const services = await openServices(config, 'web', createLogger('web', 'silent'));
  const result = await migrate(services.db);
  if (!result.ok) throw result.error;
  const events = openJobEvents(services.queue);
  const jobs = jobsApiOf(config, services, events);
  const mails: Mail[] = [];
  const workers: Workers[] = [];
  const stack: Stack = {
    site,
    config,
    services,
    jobs,
    env,
    mails,
    async startWorker() {
      const mailer = createMailer(config.service.email, () => {});
      const logMailer =
        config.service.email.transport === null ? { ...mailer, send: async (m: Mail) => void mails.push(m) } : mailer;
      const worker = await startWorkers({
        ...services,
        mailer: logMailer,
        engine: config.engine,
        retentionSec: config.service.retentionSec,
        maxAttempts: config.service.maxAttempts,
        stallTimeoutMs: config.service.stallTimeoutSec * 1000,
        publicUrl: config.service.publicUrl,
        ytdlpUpdates: config.service.ytdlpUpdates,
        // Every conversion asks which yt-dlp to use, so a test's switch applies to the next job.
        ytdlpRecheckMs: 0,
        concurrency: 2,
        pace: config.service.pace,
        parkRules: parkRulesOf(config),
        operator: config.service.operator,
        webhooks: await webhookSettingsOf(config),
        schedules: { expireEveryMs: 60_000, reconcileEveryMs: config.service.reconcileEverySec * 1000 },
        log: createLogger('worker', 'silent'),
      });
      workers.push(worker);
      return worker;
    },
    async storageDir(jobId) {
      const conversionId = (await conversionOf(services.db, jobId)) ?? assert.fail(`no job ${jobId}`);
      return services.storage.conversionDir(conversionId);
    },
    files: async (jobId) => (await jobs.downloads(jobId))?.files ?? [],
    waitFor: (id, status, timeoutMs) => waitForStatus(jobs, id, status, timeoutMs),
    async jobCount() {
      const row = await services.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    waitUntil: (id, check, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`job ${id}: condition not met after ${timeoutMs} ms`));
        }, timeoutMs);
        const off = jobs.watch(id, () => {
          jobs.get(id).then((view) => {
            if (!view || !check(view)) return;
            clearTimeout(timer);
            off();
            resolve(view);
          }, reject);
        });
      }),
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await events.close();
      for (const queue of convertQueues(services.queues)) await queue.obliterate({ force: true }).catch(() => {});
      await services.queues.service.obliterate({ force: true }).catch(() => {});
      await services.close();
      await database.drop();
      await redis.stop();
      await site.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** What the admin's yt-dlp panel needs of a stack. */
export function adminYtdlp(stack: Pick<Stack, 'config'>) {
  return { engine: stack.config.engine, settings: stack.config.service.ytdlpUpdates };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const FINAL: readonly JobStatus[] = ['done', 'failed', 'cancelled'];

/**
 * Resolves when the job reaches `status`; rejects if it ends in another final status or time runs
 * out. `jobs` reads the database directly, or the API over HTTP (see processes.ts).
 */
export async function waitForStatus(
  jobs: Pick<JobsApi, 'get'>,
  id: string,
  status: JobStatus,
  timeoutMs = 30_000,
): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await jobs.get(id);
    if (view?.status === status) return view;
    if (view && FINAL.includes(view.status)) {
      throw new Error(`job ${id} ended ${view.status} (${view.error?.code ?? ''}), not ${status}`);
    }
    if (Date.now() > deadline) throw new Error(`job ${id} still ${view?.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
