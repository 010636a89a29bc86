/**
 * `make bench`: issue 9's figures in one table, each next to its yardsticks measured in the same
 * run (yt-dlp's CLI on the same yt-dlp, one ffmpeg encode of the local file, the bare download,
 * the CLI for the service), with the ratios and whether each target holds. It prints ✓ or ✗ and
 * never fails on a target. Everything is served by the stand-in site on loopback, media at 4 MB/s.
 *
 * `node bench/run.ts [startup|cli|service] [--quick]`: only those figures; --quick shrinks a
 * minute of media to 2 s and every figure to one round, to check that the bench works.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config.ts';
import { startSite } from '../test/site/server.ts';
import type { Tools } from './commands.ts';
import { conversionRows } from './conversion.ts';
import { serviceRows } from './service.ts';
import { type BenchSetup, benchSetup, loadNote, printHeader } from './setup.ts';
import { startupRow } from './startup.ts';
import { printTable, type Row } from './table.ts';

const ROOT = join(import.meta.dirname, '..');

/**
 * A 60-min round is about 2.5 min of four runs on two idle cores: two fit in 15 min with the rest.
 * The time budgets stop a figure after fewer rounds on a machine busy with other work.
 */
const LONG = {
  ...{ minutes: 60, rounds: 2, warmup: 0, budgetSeconds: 330 },
  ...{ ytdlpTarget: 0.6, encodeTarget: 0.65, perMinuteAgainst: 10 },
};
const SONG = { minutes: 4, rounds: 5, warmup: 1, budgetSeconds: 100, ytdlpTarget: 0.6 };

async function main(): Promise<void> {
  // As bin/ytconv does, so that YTCONV_YTDLP and YTCONV_FFMPEG in .env pick the same programs.
  const envFile = join(ROOT, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const { tools } = loadConfig(process.env, ROOT).engine;
  const args = process.argv.slice(2);
  const groups = args.filter((a) => !a.startsWith('--'));
  const wanted = (group: string) => groups.length === 0 || groups.includes(group);
  const workDir = await mkdtemp(join(tmpdir(), 'ytconv-bench-'));
  const bench = benchSetup(workDir, args.includes('--quick'));
  const started = performance.now();
  try {
    await printHeader(tools);
    const rows = [
      ...(wanted('cli') ? await cliRows(bench, tools) : []),
      ...(wanted('startup') ? [await startupRow(bench)] : []),
      ...(wanted('service') ? await serviceRows(bench) : []),
    ];
    printTable(rows);
    const minutes = (performance.now() - started) / 60_000;
    if (bench.plan(LONG).rounds < bench.plan(SONG).rounds) {
      console.log(
        `\nThe 60-min figure has ${bench.runsNote(LONG)}, fewer than the others, to keep the bench under 15 min.`,
      );
    }
    console.log(`Took ${minutes.toFixed(1)} min; ${loadNote()} at the end.`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function cliRows(bench: BenchSetup, tools: Tools): Promise<Row[]> {
  const site = await startSite();
  try {
    const rows: Row[] = [];
    for (const figure of [LONG, SONG]) rows.push(...(await conversionRows(bench, site, tools, figure)));
    return rows;
  } finally {
    await site.close();
  }
}

await main();
