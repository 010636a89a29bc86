/** What every figure shares: sizes and rounds (full, or tiny with --quick), progress, the header. */
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { ffmpegVersion, ytdlpInfo } from '../src/pipeline/tools.ts';
import type { Tools } from './commands.ts';

export interface Rounds {
  rounds: number;
  warmup: number;
  /** No round begins once the figure has run this long: the bench stays within its time on a busy machine. */
  budgetSeconds?: number;
}

export interface BenchSetup {
  /** Where runs write; removed at the end. */
  workDir: string;
  /** Media seconds per minute in a figure's name: 60, or 2 in a quick run (a check that the bench works). */
  minute: number;
  /** The rounds a figure asks for, or one round and no warm-up in a quick run. */
  plan(figure: Rounds): Rounds;
  /** "5 rounds after 1 warm-up"; `counted`, when the time budget cut the rounds short. */
  runsNote(figure: Rounds, counted?: number): string;
  progress(message: string): void;
}

export function benchSetup(workDir: string, quick: boolean): BenchSetup {
  const plan = (figure: Rounds): Rounds => (quick ? { rounds: 1, warmup: 0 } : figure);
  return {
    workDir,
    minute: quick ? 2 : 60,
    plan,
    runsNote(figure, counted) {
      const { rounds, warmup } = plan(figure);
      const done = counted ?? rounds;
      const cut = done < rounds ? ` (of ${rounds}: out of time)` : '';
      return `${done} round${done === 1 ? '' : 's'}${warmup ? ` after ${warmup} warm-up` : ''}${cut}`;
    },
    progress: (message) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}…\n`),
  };
}

/** Date, machine, load and tool versions: what docs/benchmarks.md quotes with the table. */
export async function printHeader(tools: Tools): Promise<void> {
  const [ytdlp, ffmpeg, cpuinfo] = await Promise.all([
    ytdlpInfo(tools.ytdlp, { env: tools.env }),
    ffmpegVersion('ffmpeg', tools.ffmpeg, tools.env),
    readFile('/proc/cpuinfo', 'utf8').catch(() => ''),
  ]);
  const cpu = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? 'unknown CPU';
  console.log(
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${availableParallelism()} cores (${cpu}), ${loadNote()}`,
  );
  console.log(`node ${process.versions.node}, yt-dlp ${ytdlp.version} (${tools.ytdlp}), ffmpeg ${ffmpeg}`);
  console.log('Stand-in site on loopback, media at 4 MB/s per request; medians of alternating rounds.\n');
}

export function loadNote(): string {
  const [one = 0, five = 0] = loadavg();
  return `load average ${one.toFixed(1)} (1 min), ${five.toFixed(1)} (5 min)`;
}
