/**
 * `make loadtest`: a burst of concurrent submissions against a real deployment on this machine
 * (a `ytconv web` process and a `ytconv worker` process, a database and a Redis of their own, the
 * stand-in video site), while another client polls job status the whole time. The burst comes
 * once the worker is busy encoding on every core (two long conversions), as in a service that
 * has been running a while. It prints what happened to every submission and the latencies; it
 * judges nothing, except that a job the API accepted must end (done or failed): one that does not
 * is counted as lost.
 *
 * LOADTEST_SUBMISSIONS (default 200) and LOADTEST_WORKERS (default 1) change the shape.
 */
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers/promises';
import type { JobView } from '../src/jobs/types.ts';
import { type Service, startService } from '../test/helpers/processes.ts';
import { type Stack, startStack } from '../test/helpers/stack.ts';
import { pollStatus } from './jobs.ts';
import { percentile } from './measure.ts';

const ROOT = join(import.meta.dirname, '..');
const SUBMISSIONS = Number(process.env.LOADTEST_SUBMISSIONS ?? 200);
const WORKERS = Number(process.env.LOADTEST_WORKERS ?? 1);
/** Short stand-in videos; each submission trims one differently, so each is work of its own. */
const VIDEOS = ['plain', 'second', 'music', 'basic'];
const FINAL = new Set(['done', 'failed', 'cancelled']);

interface Submitted {
  status: number;
  code: string | null;
  job: JobView | null;
  ms: number;
}

async function main(): Promise<void> {
  const envFile = join(ROOT, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  // One client sends everything here, so the per-client limit would refuse most of the burst.
  const stack = await startStack({ YTCONV_SUBMIT_RATE: 'none' });
  const service = await startService(stack, { workers: WORKERS });
  try {
    console.log(`${SUBMISSIONS} submissions at once, ${WORKERS} worker process(es) × 2 conversions`);
    await keepEncoding(service, stack);
    const poller = pollStatus(service);
    const started = performance.now();
    const submitted = await Promise.all(Array.from({ length: SUBMISSIONS }, (_, i) => submit(service, stack, i)));
    const accepted = submitted.flatMap((s) => (s.job ? [s.job] : []));
    // The answers' figures at once: the conversions behind them take minutes more.
    reportBurst(submitted);
    poller.follow(accepted.map((j) => j.id));
    const finals = await waitForAll(service, accepted);
    const totalSec = (performance.now() - started) / 1000;
    const statusMs = (await poller.stop()).map((seconds) => seconds * 1000);
    report(accepted.length, finals, totalSec, statusMs);
  } finally {
    await service.stop();
    await stack.close();
  }
}

/**
 * Two long conversions that keep both cores encoding while the burst arrives: `running` alone is
 * too early (the worker is still starting yt-dlp then, and the burst would meet idle cores).
 */
async function keepEncoding(service: Service, stack: Stack): Promise<void> {
  const url = stack.site.watchUrl('lengthy');
  const jobs = [
    await service.create({ url, format: 'flac', normalize: true }),
    await service.create({ url, format: 'ogg', quality: '320k', normalize: true }),
  ];
  for (const job of jobs) {
    for (let view = await service.job(job.id); view?.phase !== 'converting'; view = await service.job(job.id)) {
      if (view && FINAL.has(view.status)) throw new Error(`the encoding job ended ${view.status} before the burst`);
      await setTimeout(50);
    }
  }
}

/**
 * One submission through node:http rather than fetch: fetch (undici with WHATWG streams) spent
 * about 3 ms of CPU per request here, so a burst of fetches kept one of the two cores busy in the
 * client itself, and its requests reached the server one by one over ~0.6 s: the figure then
 * measured the client more than the service. A client on another machine costs this one nothing.
 */
function submit(service: Service, stack: Stack, i: number): Promise<Submitted> {
  const video = VIDEOS[i % VIDEOS.length] as string;
  const body = JSON.stringify({
    url: stack.site.watchUrl(video),
    format: 'mp3',
    start: Math.floor(i / VIDEOS.length) / 10,
  });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(new URL('/api/jobs', service.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const ms = performance.now() - t0;
        const status = res.statusCode ?? 0;
        try {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JobView & { error?: { code: string } };
          resolve({ status, code: json.error?.code ?? null, job: status === 202 ? json : null, ms });
        } catch {
          resolve({ status, code: 'not JSON', job: null, ms });
        }
      });
    });
    req.end(body);
  });
}

/** Every accepted job's final view; a job that has not ended after the deadline is left out (lost). */
async function waitForAll(service: Service, jobs: JobView[], timeoutMs = 15 * 60_000): Promise<Map<string, JobView>> {
  const finals = new Map<string, JobView>();
  const deadline = Date.now() + timeoutMs;
  while (finals.size < jobs.length && Date.now() < deadline) {
    for (const job of jobs) {
      if (finals.has(job.id)) continue;
      const view = await service.job(job.id);
      if (view && FINAL.has(view.status)) finals.set(job.id, view);
    }
    await setTimeout(500);
  }
  return finals;
}

function reportBurst(submitted: Submitted[]): void {
  const refused = new Map<string, number>();
  for (const s of submitted)
    if (!s.job) refused.set(`${s.status} ${s.code}`, (refused.get(`${s.status} ${s.code}`) ?? 0) + 1);
  const accepted = submitted.filter((s) => s.job).length;
  const postMs = submitted.map((s) => s.ms);
  console.log(`accepted  ${accepted}`);
  console.log(`refused   ${submitted.length - accepted}${[...refused].map(([k, n]) => `  (${k}: ${n})`).join('')}`);
  console.log(`POST /api/jobs   ms  p50 ${pct(postMs, 50)}  p99 ${pct(postMs, 99)}  max ${pct(postMs, 100)}`);
}

function report(accepted: number, finals: Map<string, JobView>, totalSec: number, statusMs: number[]): void {
  const ended = [...finals.values()];
  const count = (status: string) => ended.filter((j) => j.status === status).length;
  console.log(`done      ${count('done')}`);
  console.log(`failed    ${count('failed')}`);
  console.log(`lost      ${accepted - finals.size}`);
  console.log(`all ended ${totalSec.toFixed(1)} s after the burst began`);
  console.log(
    `GET  /api/jobs/… ms  p50 ${pct(statusMs, 50)}  p99 ${pct(statusMs, 99)}  max ${pct(statusMs, 100)}  (${statusMs.length} reads)`,
  );
}

function pct(values: number[], p: number): string {
  return values.length === 0 ? '–' : percentile(values, p).toFixed(1);
}

await main();
