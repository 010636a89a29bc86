/**
 * The service's figures on a real deployment on this machine (test/helpers: a `ytconv web` and a
 * `ytconv worker` process, a database and a Redis of their own, the stand-in site), media at
 * 4 MB/s. Every conversion is of a video not converted before (the names differ, the media is one
 * cached file), except where a repeat is the point. Links are YouTube's own, answered by the site,
 * so that a repeat can come in another of YouTube's URL forms.
 */
import { getPriority } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Service } from '../test/helpers/processes.ts';
import { startService } from '../test/helpers/processes.ts';
import { type Stack, startStack } from '../test/helpers/stack.ts';
import type { Site } from '../test/site/server.ts';
import { BYTES_PER_SECOND, childEnv, MP3_192K, ytconvCommand } from './commands.ts';
import { convert, pollStatus, waitDone } from './jobs.ts';
import { commandTrial, measure, median, pairedRatio, percentile, type Trial, timed } from './measure.ts';
import { peakRssRow } from './rss.ts';
import type { BenchSetup } from './setup.ts';
import { failedRow, guarded, length, ms, type Row, seconds, times } from './table.ts';

const SONG_MINUTES = 4;
const PAIRS = { rounds: 5, warmup: 1, budgetSeconds: 80 };
const BURST = 16;

const REPEAT = 'repeat request, other URL form (youtu.be/ID after watch?v=ID)';

const TARGETS = {
  submit: '≤ 1.15× CLI',
  repeat: '< 100 ms; 0 bytes fetched',
  status: '< 50 ms',
  burst: '≥ 1.80× one at a time',
};

export async function serviceRows(bench: BenchSetup): Promise<Row[]> {
  bench.progress('Starting the service (web and worker processes, database, Redis, stand-in site)');
  // One client sends every request here, so the per-client limit would refuse the burst.
  // YouTube's links are answered by the stand-in site here: YouTube's pacing (YTCONV_PACE) would
  // only slow the measured service down.
  const stack = await startStack({ YTCONV_SUBMIT_RATE: 'none', YTCONV_PACE: 'none' });
  try {
    const service = await startService(stack, { env: stack.site.youtubeAliasEnv });
    try {
      return await measureService(bench, stack, service);
    } finally {
      await service.stop();
    }
  } finally {
    await stack.close();
  }
}

async function measureService(bench: BenchSetup, stack: Stack, service: Service): Promise<Row[]> {
  const { site } = stack;
  const plan = bench.plan(PAIRS);
  const songs = await addSongs(site, bench, plan.warmup + plan.rounds + BURST);
  const song = (i: number): string => songs[i] ?? '';
  const rows: Row[] = [];
  let oneAtATime = Number.NaN;
  const songFigure = `${length(SONG_MINUTES * bench.minute)} song`;
  rows.push(
    await guarded(`service submit → done, ${songFigure}`, TARGETS.submit, async () => {
      const row = await submitToDone(bench, site, service, song, songFigure);
      oneAtATime = row.serviceSeconds;
      return row.row;
    }),
  );
  rows.push(
    await guarded(REPEAT, TARGETS.repeat, () =>
      repeatRow(bench, site, service, songs.slice(0, plan.warmup + plan.rounds)),
    ),
  );
  const burst = songs.slice(plan.warmup + plan.rounds).map((name) => site.youtubeUrl(name));
  rows.push(...(await guardedBurst(bench, stack, service, burst, oneAtATime)), await peakRssRow(bench, site, service));
  return rows;
}

/** Videos of one song's length, one per conversion wanted. */
async function addSongs(site: Site, bench: BenchSetup, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `bench-song-${i}`);
  for (const name of names) {
    await site.addVideo({ name, seconds: SONG_MINUTES * bench.minute, title: name, bytesPerSecond: BYTES_PER_SECOND });
  }
  return names;
}

async function submitToDone(
  bench: BenchSetup,
  site: Site,
  service: Service,
  song: (round: number) => string,
  figure: string,
): Promise<{ row: Row; serviceSeconds: number }> {
  const viaService: Trial = {
    label: 'service',
    time: (_, round) => timed(() => convert(service, site.youtubeUrl(song(round)))),
  };
  // The worker converts at a lower CPU priority (src/cli/worker.ts); the CLI runs at the same one,
  // so that on a shared machine both lose alike to other people's work.
  const nice = getPriority(service.workers[0]?.child.pid);
  const plain = ytconvCommand((round) => site.youtubeUrl(song(round)));
  const cli = commandTrial(
    { label: plain.label, argv: (out, round) => ['nice', '-n', String(nice), ...plain.argv(out, round)] },
    childEnv(site),
  );
  bench.progress(`Timing submit → done against the CLI: ${bench.runsNote(PAIRS)}`);
  const [ours = [], theirs = []] = await measure([viaService, cli], {
    ...bench.plan(PAIRS),
    workDir: join(bench.workDir, 'service'),
  });
  const ratio = pairedRatio(ours, theirs);
  const row: Row = {
    figure: `service submit → done, ${figure}`,
    runs: bench.runsNote(PAIRS, ours.length),
    ytconv: seconds(median(ours)),
    peers: `ytconv convert (CLI, nice ${nice} as the worker) ${seconds(median(theirs))}`,
    ratios: `${times(ratio)} CLI`,
    target: TARGETS.submit,
    holds: [ratio <= 1.15],
  };
  return { row, serviceSeconds: median(ours) };
}

/** Each song converted before, asked for again as youtu.be/ID: the time until the job shows done. */
async function repeatRow(bench: BenchSetup, site: Site, service: Service, done: string[]): Promise<Row> {
  bench.progress(`Timing repeat requests: ${done.length}`);
  const [bytesBefore, requestsBefore] = [site.mediaBytesSent, site.requests.length];
  const answers: number[] = [];
  for (const name of done) answers.push(await timed(() => convert(service, `https://youtu.be/${site.video(name).id}`)));
  // Time for anything a repeat wrongly started to reach the site.
  await sleep(1000);
  const bytes = site.mediaBytesSent - bytesBefore;
  return {
    figure: REPEAT,
    runs: `${answers.length} requests`,
    ytconv: `${ms(median(answers))} (max ${ms(Math.max(...answers))})`,
    peers: `media bytes the site sent: ${bytes}; requests it got: ${site.requests.length - requestsBefore}`,
    ratios: '–',
    target: TARGETS.repeat,
    holds: [median(answers) < 0.1, bytes === 0],
  };
}

/**
 * BURST new songs submitted at once, while a client reads job status: the time until all are
 * done against one at a time, and the status reads' latency while every slot of the worker is
 * converting (until fewer jobs are left than it runs at once).
 */
async function guardedBurst(
  bench: BenchSetup,
  stack: Stack,
  service: Service,
  urls: string[],
  oneAtATime: number,
): Promise<Row[]> {
  const statusFigure = 'status p99 while all cores encode';
  const burstFigure = `${urls.length} jobs at once`;
  try {
    bench.progress(`Timing ${urls.length} jobs at once, reading status meanwhile`);
    const slots = stack.config.service.workerConcurrency;
    const poller = pollStatus(service);
    let stopped: Promise<number[]> | undefined;
    const total = await timed(async () => {
      const jobs = await Promise.all(urls.map((url) => service.create({ url, ...MP3_192K })));
      poller.follow(jobs.map((job) => job.id));
      let left = jobs.length;
      await Promise.all(
        jobs.map(async (job) => {
          await waitDone(service, job, 250);
          if (--left < slots) stopped ??= poller.stop();
        }),
      );
    });
    const reads = await (stopped ?? poller.stop());
    const ratio = (urls.length * oneAtATime) / total;
    const status: Row = {
      figure: statusFigure,
      runs: `${reads.length} reads`,
      ytconv: `p99 ${ms(percentile(reads, 99))}`,
      peers: `p50 ${ms(percentile(reads, 50))}; during the burst below, ${slots} conversions at a time`,
      ratios: '–',
      target: TARGETS.status,
      holds: [percentile(reads, 99) < 0.05],
    };
    const burst: Row = {
      figure: burstFigure,
      runs: '1 burst',
      ytconv: `${seconds(total)} for all (${seconds(total / urls.length)} per job)`,
      peers: `one at a time ${seconds(oneAtATime)} per job (the submit → done median)`,
      ratios: `${times(ratio)} throughput`,
      target: TARGETS.burst,
      holds: [ratio >= 1.8],
    };
    return [status, burst];
  } catch (err) {
    return [failedRow(statusFigure, TARGETS.status, err), failedRow(burstFigure, TARGETS.burst, err)];
  }
}
