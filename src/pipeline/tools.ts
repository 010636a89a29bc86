/**
 * Facts about the external programs the pipeline runs: where they are, which version, what the
 * installed yt-dlp supports, and the argv prefix every yt-dlp call starts with.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { run, type ToolName } from './process.ts';
import type { Engine, YtdlpSleep } from './types.ts';

export interface YtdlpInfo {
  /** As yt-dlp prints it: `2023.03.04`, or `2025.11.01.073148` for nightly builds. */
  version: string;
  /** The release date in the version, or null when the version is not date-shaped. */
  released: Date | null;
  /** Whether it takes `--js-runtimes`, which YouTube's JavaScript challenges need. */
  supportsJsRuntimes: boolean;
  /** Whether it takes `--plugin-dirs` (older ones find plugins on PYTHONPATH only). */
  supportsPluginDirs: boolean;
}

/** The first stable release with `--js-runtimes` (its changelog: a JS runtime is now required). */
const JS_RUNTIMES_SINCE = Date.UTC(2025, 10, 12);
/** The first release with `--plugin-dirs` (its changelog: "Add option --plugin-dirs"). */
const PLUGIN_DIRS_SINCE = Date.UTC(2024, 9, 22);
const VERSION_TIMEOUT_MS = 15_000;
const CACHE_FILE = 'ytdlp-versions.json';
/** Enough for every yt-dlp a machine has; older entries (test fakes, replaced copies) fall out. */
const CACHE_ENTRIES = 20;
/** The project's var/cache, where `make` puts its other state too. */
export const DEFAULT_CACHE_DIR = join(import.meta.dirname, '..', '..', 'var', 'cache');

/** The yt-dlp facts that follow from its `--version` output. */
export function parseYtdlpVersion(output: string): YtdlpInfo {
  const version = output.trim().split('\n')[0]?.trim() ?? '';
  const match = /^(\d{4})\.(\d{1,2})\.(\d{1,2})(?:\.\d+)?$/.exec(version);
  let released: Date | null = null;
  if (match) {
    const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day));
    // Date.UTC rolls 2025.02.30 over into March; such a version is not a date.
    if (date.getUTCMonth() === month - 1 && date.getUTCDate() === day) released = date;
  }
  const since = (date: number) => released !== null && released.getTime() >= date;
  return {
    version,
    released,
    supportsJsRuntimes: since(JS_RUNTIMES_SINCE),
    supportsPluginDirs: since(PLUGIN_DIRS_SINCE),
  };
}

/**
 * The fixed start of every yt-dlp command line. Config files are ignored so that a user's or the
 * system's yt-dlp.conf cannot change what we get; warnings stay on because they explain failures
 * in the log. The JavaScript runtime is the Node we run on, and only it, so a Deno that happens to
 * be installed does not change behaviour between machines. Updating is `make`'s job, not a
 * conversion's (and the newest yt-dlp warns on every run once it is 90 days old). Then the
 * operator's plugin folders, extractor arguments and spacing, and the job's own copy of a cookies file.
 */
export function ytdlpBaseArgs(engine: Engine, info: YtdlpInfo, cookiesFile: string | null): string[] {
  const args = ['--ignore-config', '--no-update'];
  const runtime = ytdlpJsRuntime(engine, info);
  if (runtime !== null) args.push('--no-js-runtimes', '--js-runtimes', runtime);
  const { pluginDirs, extractorArgs } = engine.ytdlpExtras;
  if (info.supportsPluginDirs) args.push(...pluginDirs.flatMap((dir) => ['--plugin-dirs', dir]));
  args.push(...extractorArgs.flatMap((value) => ['--extractor-args', value]));
  args.push(...sleepArgs(engine.ytdlpExtras.sleep));
  if (cookiesFile !== null) args.push('--cookies', cookiesFile);
  return args;
}

/** The JS runtime yt-dlp is handed (`--js-runtimes`): the Node we run on; null for a yt-dlp that takes none. */
export function ytdlpJsRuntime(engine: Engine, info: YtdlpInfo): string | null {
  return info.supportsJsRuntimes ? `node:${engine.tools.node}` : null;
}

/** yt-dlp's spacing options; every yt-dlp since 2021 has them. */
function sleepArgs(sleep: YtdlpSleep): string[] {
  const args: string[] = [];
  if (sleep.requestsSec !== null) args.push('--sleep-requests', String(sleep.requestsSec));
  const download = sleep.downloadSec;
  if (download !== null) {
    args.push('--sleep-interval', String(download.min));
    if (download.max > download.min) args.push('--max-sleep-interval', String(download.max));
  }
  return args;
}

// Asking yt-dlp costs a Python start (~0.3 s): remember the answer per file as it is on disk.
const memory = new Map<string, Promise<YtdlpInfo>>();

/**
 * What the yt-dlp at `file` is; cached in memory and in `cacheDir` (null: memory only) until the
 * file's size or modification time changes.
 */
export async function ytdlpInfo(
  file: string,
  opts: { cacheDir?: string | null; env: NodeJS.ProcessEnv },
): Promise<YtdlpInfo> {
  const stats = await stat(file).catch(() => null);
  // A bare name or a missing file: nothing to key a cache on, and running it says what is wrong.
  if (stats === null) return parseYtdlpVersion(await askVersion(file, opts.env));
  const key = `${file}\n${stats.size}\n${stats.mtimeMs}`;
  let info = memory.get(key);
  if (info === undefined) {
    const cacheDir = opts.cacheDir === undefined ? DEFAULT_CACHE_DIR : opts.cacheDir;
    info = cachedVersion(file, key, cacheDir, opts.env).then(parseYtdlpVersion);
    memory.set(key, info);
    info.catch(() => memory.delete(key));
  }
  return info;
}

async function cachedVersion(file: string, key: string, cacheDir: string | null, env: NodeJS.ProcessEnv) {
  if (cacheDir === null) return askVersion(file, env);
  const cacheFile = join(cacheDir, CACHE_FILE);
  const cache = await readCache(cacheFile);
  const hit = cache.get(file);
  if (hit?.key === key) return hit.version;
  const version = await askVersion(file, env);
  // Re-added last, so that the least recently asked about fall out first.
  cache.delete(file);
  cache.set(file, { key, version });
  await writeCache(cacheFile, [...cache].slice(-CACHE_ENTRIES));
  return version;
}

type CacheEntry = { key: string; version: string };

async function readCache(cacheFile: string): Promise<Map<string, CacheEntry>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(cacheFile, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null) return new Map(Object.entries(parsed));
  } catch {
    // Missing or damaged: ask again.
  }
  return new Map();
}

/** Best effort: a read-only or vanished cache directory only costs the next start 0.3 s. */
async function writeCache(cacheFile: string, entries: [string, CacheEntry][]): Promise<void> {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(cacheFile), { recursive: true });
    await writeFile(tmp, JSON.stringify(Object.fromEntries(entries)));
    await rename(tmp, cacheFile);
  } catch {
    // Not worth failing a conversion over.
  }
}

async function askVersion(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  return (await run('yt-dlp', file, ['--version'], { timeoutMs: VERSION_TIMEOUT_MS, env })).trim();
}

/** The version word of `ffmpeg -version` / `ffprobe -version`: `5.1.8-0+deb12u1`, `7.1`, `N-118…`. */
export async function ffmpegVersion(
  tool: Extract<ToolName, 'ffmpeg' | 'ffprobe'>,
  file: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const output = await run(tool, file, ['-hide_banner', '-version'], { timeoutMs: VERSION_TIMEOUT_MS, env });
  return /version (\S+)/.exec(output)?.[1] ?? 'unknown version';
}

/** Where `name` would be found on `searchPath` (a PATH value); a path with a slash is taken as is. */
export function findExecutable(name: string, searchPath: string): string | null {
  const candidates = name.includes('/')
    ? [name]
    : searchPath
        .split(delimiter)
        .filter(isAbsolute)
        .map((dir) => join(dir, name));
  return candidates.find(isExecutable) ?? null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The Python that runs the yt-dlp at `file`, from its `#!` line: `/usr/bin/python3`, or `python3`
 * for `#!/usr/bin/env python3` (found on the environment's PATH). Null for a binary build.
 */
export async function pythonOf(file: string): Promise<string | null> {
  const head = Buffer.alloc(256);
  try {
    const handle = await open(file);
    try {
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
  const words = /^#!([^\n]*)/.exec(head.toString('latin1'))?.[1]?.trim().split(/\s+/) ?? [];
  const program = words[0]?.endsWith('/env') ? words[1] : words[0];
  return program !== undefined && /python[\d.]*$/.test(program) ? program : null;
}
