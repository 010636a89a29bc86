/**
 * Wall times for a fair comparison: the trials take turns (A B C, A B C …) after warm-up rounds,
 * so a machine that speeds up or slows down mid-bench moves them all alike, and ratios are taken
 * round by round. Each run writes into a new empty directory, because ytconv numbers a file that
 * exists ("Title (2).mp3") and yt-dlp skips one, and either would skew the time.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** One thing timed: a whole command, or a request to the service and its wait. */
export interface Trial {
  label: string;
  /** Seconds one run took; `round` counts from 0, warm-up rounds included. */
  time(outDir: string, round: number): Promise<number>;
}

export interface Command {
  label: string;
  /** The argv, writing its output into `outDir`. */
  argv(outDir: string, round: number): string[];
  /** The signal that ends a run as meant, when not exit code 0 (a run timed up to an event). */
  endsBy?: NodeJS.Signals;
}

export interface Plan {
  rounds: number;
  warmup: number;
  /** No round begins after this many seconds, once one round has been counted. */
  budgetSeconds?: number;
  /** Where the runs' output directories go; the caller removes it. */
  workDir: string;
}

/** Seconds per counted run: result[t][r] is trial t in round r. */
export async function measure(trials: readonly Trial[], plan: Plan): Promise<number[][]> {
  const times: number[][] = trials.map(() => []);
  const deadline = performance.now() + (plan.budgetSeconds ?? Number.POSITIVE_INFINITY) * 1000;
  for (let round = 0; round < plan.warmup + plan.rounds; round++) {
    if (round > plan.warmup && performance.now() > deadline) break;
    for (const [t, trial] of trials.entries()) {
      const outDir = join(plan.workDir, `${t}-${round}`);
      await mkdir(outDir, { recursive: true });
      const seconds = await trial.time(outDir, round);
      if (round >= plan.warmup) times[t]?.push(seconds);
    }
  }
  return times;
}

const STDERR_TAIL = 4096;

/** Wall seconds from spawn to exit; a failed run stops the figure, as its time would mean nothing. */
export function commandTrial(command: Command, env: NodeJS.ProcessEnv): Trial {
  return {
    label: command.label,
    time: (outDir, round) =>
      new Promise((resolve, reject) => {
        const [file, ...args] = command.argv(outDir, round);
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
      }),
  };
}

/** Seconds `work` takes. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[half] as number)
    : ((sorted[half - 1] as number) + (sorted[half] as number)) / 2;
}

/** The value below which `p` % of `values` lie (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, at)] ?? Number.NaN;
}

/** The median of a[i] / b[i]: each ratio from one round, so both sides saw the same machine. */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((value, i) => value / (b[i] ?? Number.NaN)));
}
