/**
 * CLI start to first child: `ytconv convert URL` (default settings: the address guard on) with a
 * yt-dlp that kills it, so each run's wall time is from its start to its first child, plus a
 * shell's start (about a millisecond). Next to it, Node starting and exiting with nothing to do:
 * the floor.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { YTCONV } from './commands.ts';
import { type Command, commandTrial, measure, median, pairedRatio } from './measure.ts';
import type { BenchSetup } from './setup.ts';
import { guarded, ms, type Row, times } from './table.ts';

/** Says its version like yt-dlp; anything else ends the program that started it, at once. */
const ENDING_YTDLP = '#!/bin/sh\n[ "$1" = --version ] && { echo 2025.01.01; exit 0; }\nkill -KILL "$PPID"\n';

const TARGET_SECONDS = 0.15;
const FIGURE = { rounds: 10, warmup: 1 };
const FIGURE_NAME = 'CLI start to first child';

export function startupRow(bench: BenchSetup): Promise<Row> {
  return guarded(FIGURE_NAME, `≤ ${ms(TARGET_SECONDS)}`, () => measureStartup(bench));
}

async function measureStartup(bench: BenchSetup): Promise<Row> {
  const ytdlp = join(bench.workDir, 'yt-dlp');
  await writeFile(ytdlp, ENDING_YTDLP, { mode: 0o755 });
  const url = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';
  const env = { ...process.env, YTCONV_YTDLP: ytdlp };
  // One run that ends by itself first, as a user's would: Node writes its compile cache at exit,
  // and a killed process writes none.
  await promisify(execFile)(YTCONV, ['convert', url, '-o', bench.workDir], {
    env: { ...env, YTCONV_YTDLP: 'false' },
  }).catch(() => {});
  const ytconv: Command = {
    label: 'ytconv convert',
    argv: (out) => [YTCONV, 'convert', url, '-o', out],
    endsBy: 'SIGKILL',
  };
  const node: Command = { label: 'node', argv: () => [process.execPath, '-e', '0'] };
  bench.progress(`Timing CLI start to first child: ${bench.runsNote(FIGURE)}`);
  const [ours = [], bare = []] = await measure([commandTrial(ytconv, env), commandTrial(node, env)], {
    ...bench.plan(FIGURE),
    workDir: join(bench.workDir, 'startup'),
  });
  return {
    figure: FIGURE_NAME,
    runs: bench.runsNote(FIGURE, ours.length),
    ytconv: ms(median(ours)),
    peers: `node -e 0 (start to exit) ${ms(median(bare))}`,
    ratios: `${times(pairedRatio(ours, bare))} node`,
    target: `≤ ${ms(TARGET_SECONDS)}`,
    holds: [median(ours) <= TARGET_SECONDS],
  };
}
