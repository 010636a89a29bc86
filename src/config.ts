/**
 * The one module that reads the environment. Entry points call loadConfig once and pass the
 * frozen result down; nothing else looks at process.env. Safe defaults for one machine.
 */
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { findExecutable } from './pipeline/tools.ts';
import type { Engine } from './pipeline/types.ts';
import { parseBoolean, parseByteSize, parseDuration } from './pipeline/units.ts';

export type ToolKey = 'ffmpeg' | 'ffprobe' | 'ytdlp';

export interface Config {
  readonly root: string;
  readonly engine: Engine;
  /** Tools whose path was set by a YTCONV_* variable, so that doctor can say which to fix. */
  readonly overriddenTools: readonly ToolKey[];
  /** Facts worth keeping between runs (yt-dlp's version). */
  readonly cacheDir: string;
}

/** A setting that is wrong; the message is one line naming the variable and what it expects. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const TOOL_VARIABLES = {
  ffmpeg: 'YTCONV_FFMPEG',
  ffprobe: 'YTCONV_FFPROBE',
  ytdlp: 'YTCONV_YTDLP',
} as const;

const SITES_EXPECTED = 'a comma-separated list of yt-dlp site names such as youtube,vimeo, or *';
const BOOLEAN_EXPECTED = 'one of 1/0, true/false, yes/no, on/off';
const DURATION_EXPECTED = 'a positive duration such as 5400 (seconds), 90m, 3h, 1h30m or 1:30:00';
const SIZE_EXPECTED = 'a size such as 500M, 2G or 1.5GB (1024-based), or none';

/** A variable parsed by `parse`, which returns null for text that does not mean `expected`. */
function setting<T>(expected: string, parse: (text: string) => T | null) {
  return z.string().transform((text, ctx) => {
    const value = parse(text);
    if (value === null) ctx.addIssue({ code: 'custom', message: expected });
    return value ?? z.NEVER;
  });
}

function parseSites(text: string): readonly string[] | '*' | null {
  if (text.trim() === '*') return '*';
  const sites = text.split(',').map((site) => site.trim().toLowerCase());
  return sites.every((site) => /^[a-z0-9][a-z0-9_:.-]*$/.test(site)) ? sites : null;
}

function parseMaxDuration(text: string): number | null {
  const seconds = parseDuration(text);
  return seconds !== null && seconds > 0 ? seconds : null;
}

function parseDownloadLimit(text: string): { bytes: number | null } | null {
  if (text.trim().toLowerCase() === 'none') return { bytes: null };
  const bytes = parseByteSize(text);
  return bytes !== null && bytes > 0 ? { bytes } : null;
}

function schema(root: string) {
  const existing = (isKind: 'isFile' | 'isDirectory') => (text: string) => {
    const path = resolve(root, text);
    return existsSync(path) && statSync(path)[isKind]() ? path : null;
  };
  return z.object({
    YTCONV_FFMPEG: z.string().optional(),
    YTCONV_FFPROBE: z.string().optional(),
    YTCONV_YTDLP: z.string().optional(),
    YTCONV_ALLOWED_SITES: setting(SITES_EXPECTED, parseSites).prefault('youtube'),
    YTCONV_ALLOW_PRIVATE_ADDRESSES: setting(BOOLEAN_EXPECTED, parseBoolean).prefault('no'),
    YTCONV_MAX_DURATION: setting(DURATION_EXPECTED, parseMaxDuration).prefault('3h'),
    YTCONV_MAX_DOWNLOAD: setting(SIZE_EXPECTED, parseDownloadLimit).prefault('2G'),
    YTCONV_COOKIES_FILE: setting('an existing cookies.txt file', existing('isFile')).optional(),
    YTCONV_TMP_DIR: setting('an existing directory', existing('isDirectory')).optional(),
  });
}

/** Read and check the settings; throws a ConfigError naming every wrong variable. */
export function loadConfig(env: NodeJS.ProcessEnv, root: string): Config {
  // An empty value (`YTCONV_COOKIES_FILE=` in .env) means unset, as in most tools.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = schema(root).safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name}=${JSON.stringify(given[name])} is not valid: expected ${issue.message}`;
    });
    throw new ConfigError(problems.join('; '));
  }
  const settings = parsed.data;
  const engine: Engine = {
    tools: resolveTools(settings, env.PATH ?? '', root),
    policy: {
      allowedSites: settings.YTCONV_ALLOWED_SITES,
      allowPrivateAddresses: settings.YTCONV_ALLOW_PRIVATE_ADDRESSES,
    },
    limits: {
      maxDurationSec: settings.YTCONV_MAX_DURATION,
      maxDownloadBytes: settings.YTCONV_MAX_DOWNLOAD.bytes,
    },
    cookiesFile: settings.YTCONV_COOKIES_FILE ?? null,
    tmpDir: settings.YTCONV_TMP_DIR ?? tmpdir(),
    ytdlpEnv: { ...env },
  };
  const overriddenTools = (Object.keys(TOOL_VARIABLES) as ToolKey[]).filter((key) => given[TOOL_VARIABLES[key]]);
  return deepFreeze({ root, engine, overriddenTools, cacheDir: join(root, 'var', 'cache') });
}

/** Absolute paths where found, so that doctor can show them; a bare name fails as not found when run. */
function resolveTools(
  settings: { YTCONV_FFMPEG?: string; YTCONV_FFPROBE?: string; YTCONV_YTDLP?: string },
  searchPath: string,
  root: string,
): Engine['tools'] {
  const find = (name: string) => findExecutable(name, searchPath) ?? name;
  const projectYtdlp = join(root, 'var', 'bin', 'yt-dlp');
  return {
    ffmpeg: find(settings.YTCONV_FFMPEG ?? 'ffmpeg'),
    ffprobe: find(settings.YTCONV_FFPROBE ?? 'ffprobe'),
    // The copy `make install` fetched is newer than the system's, which YouTube soon breaks.
    ytdlp: find(settings.YTCONV_YTDLP ?? (existsSync(projectYtdlp) ? projectYtdlp : 'yt-dlp')),
    node: process.execPath,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
