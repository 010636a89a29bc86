/**
 * Whole-process wall times for a fair comparison: the commands take turns (A B C, A B C …) after
 * warm-up rounds, so a machine that speeds up or slows down mid-bench moves them all alike, and
 * ratios are taken round by round. Each run writes into a new empty directory, because ytconv
 * numbers a file that exists ("Title (2).mp3") and yt-dlp skips one, and either would skew the time.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export interface Command {
  label: string;
  /** The argv, writing its output into `outDir`. */
  argv(outDir: string): string[];
  /** The signal that ends a run as meant, when not exit code 0 (a run timed up to an event). */
  endsBy?: NodeJS.Signals;
}

export interface Plan {
  rounds: number;
  warmup: number;
  env: NodeJS.ProcessEnv;
  /** Where the runs' output directories go; the caller removes it. */
  workDir: string;
}

export interface Spread {
  min: number;
  median: number;
  max: number;
}

/** Seconds per counted run: result[c][r] is command c in round r. */
export async function measure(commands: readonly Command[], plan: Plan): Promise<number[][]> {
  const times: number[][] = commands.map(() => []);
  for (let round = -plan.warmup; round < plan.rounds; round++) {
    for (const [c, command] of commands.entries()) {
      const outDir = join(plan.workDir, `${c}-${round + plan.warmup}`);
      await mkdir(outDir, { recursive: true });
      const seconds = await timeRun(command, outDir, plan.env);
      if (round >= 0) times[c]?.push(seconds);
    }
  }
  return times;
}

const STDERR_TAIL = 4096;

/** Wall seconds from spawn to exit; a failed run stops the bench, as its time would mean nothing. */
function timeRun(command: Command, outDir: string, env: NodeJS.ProcessEnv): Promise<number> {
  const [file, ...args] = command.argv(outDir);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let elapsed = 0;
    let stderr = '';
    const child = spawn(file as string, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_TAIL);
    });
    child.once('exit', () => {
      elapsed = (performance.now() - started) / 1000;
    });
    child.once('error', reject);
    // 'close' comes after 'exit', once stderr is drained, so a failure's message is complete.
    child.once('close', (code, signal) => {
      if (command.endsBy ? signal === command.endsBy : code === 0) resolve(elapsed);
      else reject(new Error(`${command.label} ended with ${code ?? signal}:\n${stderr.trim()}`));
    });
  });
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (i: number): number => sorted[i] ?? Number.NaN;
  const half = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? at(half) : (at(half - 1) + at(half)) / 2;
  return { min: at(0), median, max: at(sorted.length - 1) };
}

/** a[i] / b[i]: each ratio from one round, so both sides saw the same machine. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, i) => value / (b[i] ?? Number.NaN));
}
