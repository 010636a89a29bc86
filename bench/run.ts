/**
 * `make bench`: wall times of `ytconv convert` (MP3 192k) next to yt-dlp's own CLI doing the same
 * job and to plain ffmpeg encoding the same source from disk (the floor: no download, no tags),
 * once for a short clip, where start-up dominates, and once for a long video, where encoding does.
 * Everything is served by the stand-in site on loopback. It prints figures and judges nothing.
 * First, the CLI's own start: from `ytconv convert` starting to its first child process;
 * `node bench/run.ts startup` times only that.
 */

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { ffmpegVersion, ytdlpInfo } from '../src/pipeline/tools.ts';
import type { Engine } from '../src/pipeline/types.ts';
import { type Site, startSite } from '../test/site/server.ts';
import { type Command, measure, pairedRatios, type Spread, spread } from './measure.ts';

const ROOT = join(import.meta.dirname, '..');
const YTCONV = join(ROOT, 'bin', 'ytconv');
const LONG = { name: 'bench-30min', seconds: 30 * 60, title: 'Bench Tone (30 min)' };

interface Figure {
  video: string;
  rounds: number;
  warmup: number;
}

// A 30-minute round is about 35 s of three commands on two cores: 6 of them keep the bench under 5 min.
const FIGURES: readonly Figure[] = [
  { video: 'basic', rounds: 10, warmup: 1 },
  { video: LONG.name, rounds: 5, warmup: 1 },
];

type Tools = Engine['tools'];

async function main(): Promise<void> {
  // As bin/ytconv does, so that YTCONV_YTDLP and YTCONV_FFMPEG in .env pick the same programs.
  const envFile = join(ROOT, '.env');
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  const { tools } = loadConfig(process.env, ROOT).engine;
  const workDir = await mkdtemp(join(tmpdir(), 'ytconv-bench-'));
  try {
    await printSetup(tools);
    await runStartupFigure(workDir);
    if (process.argv[2] !== 'startup') await runConversionFigures(tools, workDir);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function runConversionFigures(tools: Tools, workDir: string): Promise<void> {
  const site = await startSite();
  try {
    process.stderr.write(`Preparing the ${describe(LONG.seconds)} stand-in video (generated once, then cached)…\n`);
    await site.addVideo(LONG);
    for (const figure of FIGURES) await runFigure(figure, site, tools, workDir);
  } finally {
    await site.close();
  }
}

async function printSetup(tools: Tools): Promise<void> {
  const [ytdlp, ffmpeg] = await Promise.all([
    ytdlpInfo(tools.ytdlp, { env: tools.env }),
    ffmpegVersion('ffmpeg', tools.ffmpeg, tools.env),
  ]);
  console.log(`node ${process.versions.node}, yt-dlp ${ytdlp.version} (${tools.ytdlp}), ffmpeg ${ffmpeg}`);
  console.log(`${availableParallelism()} cores; wall seconds per whole command, fresh output directory each run`);
}

async function runFigure(figure: Figure, site: Site, tools: Tools, workDir: string): Promise<void> {
  const url = site.watchUrl(figure.video);
  // Both downloaders pick format 251 (bestaudio), so ffmpeg encodes the very bytes they fetch.
  const source = site.mediaPath(figure.video, '251');
  const commands = [ytconvCommand(url), ytdlpCommand(tools, url), ffmpegCommand(tools, source)];
  const heading = `${describe(site.video(figure.video).duration)} of Opus/WebM (${await mebibytes(source)}) to MP3 192k`;
  process.stderr.write(`Timing ${heading}: ${figure.warmup + figure.rounds} rounds…\n`);
  const times = await measure(commands, {
    rounds: figure.rounds,
    warmup: figure.warmup,
    env: childEnv(site),
    workDir: join(workDir, figure.video),
  });
  printTable(`\n${heading}, ${figure.rounds} rounds after ${figure.warmup} warm-up`, commands, times);
}

/** The stand-in site's extractor for yt-dlp, and a ytconv that accepts a site on loopback. */
function childEnv(site: Site): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PYTHONPATH: [site.pluginDir, process.env.PYTHONPATH].filter(Boolean).join(':'),
    YTCONV_ALLOWED_SITES: '*',
    YTCONV_ALLOW_PRIVATE_ADDRESSES: '1',
  };
}

function ytconvCommand(url: string): Command {
  return { label: 'ytconv convert', argv: (out) => [YTCONV, 'convert', url, '-o', out] };
}

/** Says its version like yt-dlp; anything else ends the program that started it, at once. */
const ENDING_YTDLP = '#!/bin/sh\n[ "$1" = --version ] && { echo 2025.01.01; exit 0; }\nkill -KILL "$PPID"\n';

/**
 * CLI start to first child: `ytconv convert URL` (default settings: the address guard on) with a
 * yt-dlp that kills it, so each run's wall time is from its start to its first child, plus a
 * shell's start (about a millisecond).
 */
async function runStartupFigure(workDir: string): Promise<void> {
  const ytdlp = join(workDir, 'yt-dlp');
  await writeFile(ytdlp, ENDING_YTDLP, { mode: 0o755 });
  const url = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';
  const env = { ...process.env, YTCONV_YTDLP: ytdlp };
  // One run that ends by itself first, as a user's would: Node writes its compile cache at exit,
  // and a killed process writes none.
  await promisify(execFile)(YTCONV, ['convert', url, '-o', workDir], { env: { ...env, YTCONV_YTDLP: 'false' } }).catch(
    () => {},
  );
  const command: Command = {
    label: 'ytconv convert',
    argv: (out) => [YTCONV, 'convert', url, '-o', out],
    endsBy: 'SIGKILL',
  };
  const [times = []] = await measure([command], { rounds: 10, warmup: 1, env, workDir: join(workDir, 'startup') });
  console.log(`\nCLI start to first child (yt-dlp), 10 rounds after 1 warm-up`);
  console.log(`${''.padEnd(26)}${['min', 'median', 'max'].map((h) => h.padStart(9)).join('')}`);
  printRow('ytconv convert (ms)', scaled(spread(times), 1000), 0);
}

function scaled(s: Spread, by: number): Spread {
  return { min: s.min * by, median: s.median * by, max: s.max * by };
}

/** What a user would type, plus the options ytconv also passes: no config files, no self-update, its ffmpeg. */
function ytdlpCommand(tools: Tools, url: string): Command {
  return {
    label: 'yt-dlp -x',
    argv: (out) => [
      tools.ytdlp,
      ...['--ignore-config', '--no-update', '--ffmpeg-location', tools.ffmpeg],
      ...['-x', '--audio-format', 'mp3', '--audio-quality', '192K', '--embed-metadata', '--embed-thumbnail'],
      ...['-o', join(out, '%(title)s.%(ext)s'), '--', url],
    ],
  };
}

function ffmpegCommand(tools: Tools, source: string): Command {
  return {
    label: 'ffmpeg, local file',
    argv: (out) => [
      tools.ffmpeg,
      ...['-nostdin', '-v', 'error', '-i', source, '-c:a', 'libmp3lame', '-b:a', '192k', join(out, 'out.mp3')],
    ],
  };
}

function describe(seconds: number): string {
  return seconds >= 60 ? `${seconds / 60} min` : `${seconds} s`;
}

async function mebibytes(path: string): Promise<string> {
  return `${((await stat(path)).size / 2 ** 20).toFixed(1)} MiB`;
}

/** Command 0 (ytconv) over each yardstick, by its index in runFigure's list. */
const RATIOS = [
  [1, 'ytconv / yt-dlp'],
  [2, 'ytconv / ffmpeg'],
] as const;

function printTable(heading: string, commands: readonly Command[], times: readonly number[][]): void {
  const of = (i: number): number[] => times[i] ?? [];
  console.log(heading);
  console.log(`${''.padEnd(26)}${['min', 'median', 'max'].map((h) => h.padStart(9)).join('')}`);
  for (const [i, command] of commands.entries()) printRow(`${command.label} (s)`, spread(of(i)), 3);
  for (const [i, label] of RATIOS) printRow(label, spread(pairedRatios(of(0), of(i))), 2);
}

function printRow(label: string, s: Spread, digits: number): void {
  const cells = [s.min, s.median, s.max].map((v) => v.toFixed(digits).padStart(9)).join('');
  console.log(`  ${label.padEnd(24)}${cells}`);
}

await main();
