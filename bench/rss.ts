/**
 * Worker peak memory by media length: for each length a fresh worker process converts one video,
 * then its VmHWM (the peak resident set since it started) is read from /proc. That is the worker's
 * own Node process only (bin/ytconv execs node): its yt-dlp and ffmpeg children have their own.
 */
import { readFile } from 'node:fs/promises';
import type { Service } from '../test/helpers/processes.ts';
import type { Site } from '../test/site/server.ts';
import { BYTES_PER_SECOND } from './commands.ts';
import { convert } from './jobs.ts';
import type { BenchSetup } from './setup.ts';
import { guarded, mb, type Row, times } from './table.ts';

const MINUTES = [1, 10, 60];
const LIMIT_BYTES = 200e6;
/** "Flat": the longest media's peak at most this much above the shortest's. */
const FLAT = 1.1;

const FIGURE = `worker peak RSS, ${MINUTES.join(' / ')} min`;
const TARGET = `< ${mb(LIMIT_BYTES)}, flat (≤ ${times(FLAT)})`;

export function peakRssRow(bench: BenchSetup, site: Site, service: Service): Promise<Row> {
  return guarded(FIGURE, TARGET, () => measurePeaks(bench, site, service));
}

async function measurePeaks(bench: BenchSetup, site: Site, service: Service): Promise<Row> {
  const peaks: number[] = [];
  for (const minutes of MINUTES) {
    const seconds = minutes * bench.minute;
    const name = `bench-rss-${seconds}s`;
    bench.progress(`Peak memory of a fresh worker converting ${minutes} min of media`);
    await site.addVideo({ name, seconds, title: name, bytesPerSecond: BYTES_PER_SECOND });
    await Promise.all(service.workers.map((worker) => worker.stop()));
    const worker = await service.startWorker();
    await convert(service, site.youtubeUrl(name), 250);
    peaks.push(await peakRss(worker.child.pid ?? 0));
  }
  const growth = (peaks.at(-1) ?? Number.NaN) / (peaks[0] ?? Number.NaN);
  return {
    figure: FIGURE,
    runs: '1 each, fresh worker',
    ytconv: peaks.map(mb).join(' / '),
    peers: 'VmHWM of the worker process; its yt-dlp and ffmpeg children not included',
    ratios: `${times(growth)} from ${MINUTES[0]} to ${MINUTES.at(-1)} min`,
    target: TARGET,
    holds: [Math.max(...peaks) < LIMIT_BYTES, growth <= FLAT],
  };
}

async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmHWM:\s*(\d+) kB$/m.exec(status)?.[1];
  if (!kib) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kib) * 1024;
}
