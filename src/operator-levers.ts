/**
 * Parsers for the operator's levers on yt-dlp (config.ts reads the variables): a pool of cookies
 * files, proxies per site, plugin folders, yt-dlp's own spacing. Like units.ts, each returns null for text it does not
 * understand, so that config.ts can name the variable and say what it expects.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProxyPools } from './pipeline/types.ts';
import { parseDuration } from './units.ts';

export const PLUGIN_DIRS_EXPECTED =
  'folders separated by ":", each holding yt-dlp plugin packages (a folder with a yt_dlp_plugins folder inside, or a .zip)';
export const COOKIES_DIR_EXPECTED = 'an existing folder holding one or more cookies.txt files named *.txt';
export const SET_ASIDE_EXPECTED = 'a duration such as 30m, 6h or 2d, or forever (until an operator puts it back)';
export const PROXIES_EXPECTED =
  'site=URL[,URL…] pairs separated by ";", such as youtube=http://10.0.0.2:3128,http://10.0.0.3:3128;*=http://10.0.0.4:3128 (http:// proxies)';
export const PROXY_EXPECTED = 'an http:// proxy URL such as http://127.0.0.1:3128';
export const SLEEP_REQUESTS_EXPECTED = 'seconds between the requests of one extraction, such as 0.75 (at most 3600)';
export const SLEEP_EXPECTED =
  'seconds before each download, such as 5, or a range such as 5-10 for a random wait between the two (at most 3600)';

/** A wait longer than an hour holds a worker for nothing; such a value is a mistake. */
const MAX_SLEEP_SEC = 3600;

const PLUGIN_ARCHIVE = /\.(?:zip|whl|egg)$/i;

/**
 * The plugin packages of each folder, as yt-dlp's `--plugin-dirs` reads a folder: the folders in
 * it that hold `yt_dlp_plugins`, and the archives. Null when a folder is missing or has none.
 */
export function parsePluginDirs(text: string, root: string): { dirs: string[]; packages: string[] } | null {
  const dirs = text
    .split(':')
    .filter((dir) => dir.trim() !== '')
    .map((dir) => resolve(root, dir.trim()));
  const packages = dirs.map(pluginPackages);
  if (dirs.length === 0 || packages.some((found) => found === null || found.length === 0)) return null;
  return { dirs, packages: packages.flat() as string[] };
}

function pluginPackages(dir: string): string[] | null {
  if (!isDirectory(dir)) return null;
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => (isDirectory(path) ? isDirectory(join(path, 'yt_dlp_plugins')) : PLUGIN_ARCHIVE.test(path)))
    .sort();
}

/** The `*.txt` files of a folder, sorted, or null when it is missing or has none. */
export function parseCookiesDir(text: string, root: string): string[] | null {
  const dir = resolve(root, text);
  if (!isDirectory(dir)) return null;
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.txt'))
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .sort();
  return files.length > 0 ? files : null;
}

/** Seconds a cookies file that met a bot wall stays aside, or null for "until put back". */
export function parseSetAside(text: string): { seconds: number | null } | null {
  if (text.trim().toLowerCase() === 'forever') return { seconds: null };
  const seconds = /^\d+d$/i.test(text.trim()) ? Number.parseInt(text, 10) * 86_400 : parseDuration(text);
  return seconds !== null && seconds > 0 ? { seconds } : null;
}

/** `youtube=http://a:3128,http://b:3128;*=http://c:3128`, or null. */
export function parseProxies(text: string): ProxyPools | null {
  const pools: Record<string, string[]> = {};
  for (const part of text.split(';').filter((p) => p.trim() !== '')) {
    // The first `=` ends the site: a proxy's password may hold one too.
    const at = part.indexOf('=');
    const key = part.slice(0, Math.max(at, 0)).trim().toLowerCase();
    const list = part
      .slice(at + 1)
      .split(',')
      .map(parseProxy);
    if (!/^(?:\*|[a-z0-9][a-z0-9_:.-]*)$/.test(key) || key in pools) return null;
    if (list.length === 0 || list.some((url) => url === null)) return null;
    pools[key] = list as string[];
  }
  return Object.keys(pools).length > 0 ? pools : null;
}

/** An http:// proxy's URL, normalised (`http://host:port`, credentials kept), or null. */
export function parseProxy(text: string): string | null {
  if (!URL.canParse(text.trim())) return null;
  const url = new URL(text.trim());
  const bare = url.pathname === '/' && url.search === '' && url.hash === '';
  return url.protocol === 'http:' && url.hostname !== '' && bare ? url.href.replace(/\/$/, '') : null;
}

/** Positive seconds such as `0.75` or `5`, at most an hour; null otherwise. */
export function parseSleepSeconds(text: string): number | null {
  if (!/^\d+(?:\.\d+)?$/.test(text.trim())) return null;
  const seconds = Number(text);
  return seconds > 0 && seconds <= MAX_SLEEP_SEC ? seconds : null;
}

/** `5` (always 5 s) or `5-10` (a random wait between 5 and 10 s), as yt-dlp's `-t sleep` waits before downloads. */
export function parseSleepRange(text: string): { min: number; max: number } | null {
  const [low = '', high, ...rest] = text.split('-');
  const min = parseSleepSeconds(low);
  const max = high === undefined ? min : parseSleepSeconds(high);
  return min !== null && max !== null && max >= min && rest.length === 0 ? { min, max } : null;
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
