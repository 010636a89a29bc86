/**
 * The one module that reads the environment. Entry points call loadConfig once and pass the
 * frozen result down; nothing else looks at process.env. Safe defaults for one machine.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ACCESS_MODES } from './access.ts';
import {
  parseDownloadLimit,
  parseMaxDuration,
  parsePace,
  parsePositiveInt,
  parseRate,
  parseSites,
  parseSponsorBlockApi,
  parseTrustProxy,
  parseUrl,
  RATE_EXPECTED,
  setting,
} from './config-values.ts';

export type {
  EmailTransport,
  OperatorChannels,
  ServiceConfig,
  WebhookConfig,
  YtdlpUpdateSettings,
} from './config-types.ts';
export type { Rate } from './config-values.ts';

import { resolveTools } from './config-tools.ts';
import type { ServiceConfig, YtdlpUpdateSettings } from './config-types.ts';
import { isEmailAddress } from './email-address.ts';
import {
  COOKIES_DIR_EXPECTED,
  PLUGIN_DIRS_EXPECTED,
  PROXIES_EXPECTED,
  PROXY_EXPECTED,
  parseCookiesDir,
  parsePluginDirs,
  parseProxies,
  parseProxy,
  parseSetAside,
  parseSleepRange,
  parseSleepSeconds,
  SET_ASIDE_EXPECTED,
  SLEEP_EXPECTED,
  SLEEP_REQUESTS_EXPECTED,
} from './operator-levers.ts';
import { memoryCookiesPool } from './pipeline/cookies.ts';
import {
  parseExtractorArgs,
  parsePlayerClients,
  renderExtractorArgs,
  withPlayerClients,
} from './pipeline/extractor-args.ts';
import { SPLIT_MIN_DURATION_SEC } from './pipeline/split-plan.ts';
import { DEFAULT_SPONSORBLOCK_API } from './pipeline/sponsorblock.ts';
import { findExecutable } from './pipeline/tools.ts';
import type { Engine, ProxyPools } from './pipeline/types.ts';
import { parseBoolean, parseByteSize } from './units.ts';

export type ToolKey = 'ffmpeg' | 'ffprobe' | 'ytdlp';

export interface Config {
  readonly root: string;
  readonly engine: Engine;
  readonly service: ServiceConfig;
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
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const SIZE_EXPECTED = 'a size such as 500M, 2G or 1.5GB (1024-based), or none';
const YTDLP_RELEASES = 'https://github.com/yt-dlp/yt-dlp/releases/latest/download';
/** GitHub's layout: `…/releases/latest/download` for the newest, `…/releases/download/TAG` for one. */
const LATEST_RELEASE = /\/latest\/download\/?$/;
/** "Me at the zoo", YouTube's first video: public since 2005 and unlikely to go. */
const YTDLP_CANARY = 'https://www.youtube.com/watch?v=jNQXAC9IVRw';

/** The service's variables; the seed project's EMAIL_* names are kept so old .env files still work. */
const serviceSchema = z.object({
  HOST: z.string().prefault('127.0.0.1'),
  PORT: setting('a port number such as 8000', parsePositiveInt).prefault('8000'),
  PUBLIC_URL: setting('an http(s) URL such as https://ytconv.example.org', parseUrl(['http:', 'https:'])).optional(),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: setting('a redis:// URL', parseUrl(['redis:', 'rediss:'])).prefault('redis://127.0.0.1:6379'),
  YTCONV_QUEUE_PREFIX: setting('letters, digits, - and _', (t) => (/^[\w-]+$/.test(t) ? t : null)).prefault('ytconv'),
  SECRET_KEY: z.string().min(16, 'at least 16 characters').optional(),
  YTCONV_ADMIN_PASSWORD: z.string().optional(),
  YTCONV_ACCESS: z.enum(ACCESS_MODES, { error: ACCESS_MODES.join(', ') }).prefault('open'),
  NODE_ENV: z.string().optional(),
  YTCONV_STORAGE_DIR: z.string().optional(),
  YTCONV_RETENTION: setting(DURATION_EXPECTED, parseMaxDuration).prefault('24h'),
  YTCONV_EXPIRE_EVERY: setting(DURATION_EXPECTED, parseMaxDuration).prefault('5m'),
  YTCONV_WORKER_CONCURRENCY: setting('a whole number such as 2', parsePositiveInt).prefault('2'),
  YTCONV_YTDLP_SERVER_JOBS: setting('a whole number such as 100', parsePositiveInt).prefault('100'),
  YTCONV_STALL_TIMEOUT: setting(DURATION_EXPECTED, parseMaxDuration).prefault('30s'),
  YTCONV_RECONCILE_EVERY: setting(DURATION_EXPECTED, parseMaxDuration).prefault('5s'),
  YTCONV_MAX_ATTEMPTS: setting('a whole number such as 10', parsePositiveInt).prefault('10'),
  YTCONV_MAX_QUEUED: setting('a whole number such as 1000', parsePositiveInt).prefault('1000'),
  LOG_LEVEL: setting(`one of ${LOG_LEVELS.join(', ')}`, (t) => (LOG_LEVELS.includes(t) ? t : null)).prefault('info'),
  YTCONV_MAX_UPLOAD: setting(SIZE_EXPECTED, parseByteSize).prefault('1G'),
  YTCONV_SUBMIT_RATE: setting(RATE_EXPECTED, parseRate).prefault('30/1m'),
  YTCONV_INSPECT_RATE: setting(RATE_EXPECTED, parseRate).prefault('20/1m'),
  YTCONV_TRUST_PROXY: setting(
    `${BOOLEAN_EXPECTED}, or the proxies' addresses such as 10.0.0.5,fd00::/8`,
    parseTrustProxy,
  ).prefault('no'),
  SMTP_URL: setting('an smtp:// or smtps:// URL', parseUrl(['smtp:', 'smtps:'])).optional(),
  EMAIL_HOST: z.string().optional(),
  EMAIL_PORT: setting('a port number such as 587', parsePositiveInt).prefault('25'),
  EMAIL_HOST_USER: z.string().optional(),
  EMAIL_HOST_PASSWORD: z.string().optional(),
  EMAIL_USE_TLS: setting(BOOLEAN_EXPECTED, parseBoolean).prefault('no'),
  DEFAULT_FROM_EMAIL: z.string().prefault('ytconv <ytconv@localhost>'),
  YTCONV_EMAIL_RETRY_DELAY: setting(DURATION_EXPECTED, parseMaxDuration).prefault('10s'),
  YTCONV_YTDLP_UPDATES: z.enum(['daily', 'off'], { error: 'daily or off' }).prefault('daily'),
  YTCONV_YTDLP_RELEASES: setting('an http(s) URL of a release folder', parseUrl(['http:', 'https:'])).prefault(
    YTDLP_RELEASES,
  ),
  YTCONV_YTDLP_PIN: setting('a yt-dlp version such as 2025.10.22', (t) =>
    /^\d{4}\.\d{2}\.\d{2}(?:\.\d+)?$/.test(t) ? t : null,
  ).optional(),
  YTCONV_YTDLP_CANARY: setting('an http(s) URL of a video', parseUrl(['http:', 'https:'])).prefault(YTDLP_CANARY),
  YTCONV_YTDLP: z.string().optional(),
  YTCONV_PACE: setting('site=count/duration pairs such as youtube=10/1m,vimeo=none, or none', parsePace).prefault(
    'youtube=10/1m',
  ),
  YTCONV_PAUSE: setting(DURATION_EXPECTED, parseMaxDuration).prefault('30m'),
  YTCONV_PAUSE_AFTER_BOT_WALLS: setting('a whole number such as 3', parsePositiveInt).prefault('3'),
  YTCONV_OPERATOR_EMAIL: setting('an email address such as ops@example.org', (t) =>
    isEmailAddress(t.trim()) ? t.trim() : null,
  ).optional(),
  YTCONV_OPERATOR_WEBHOOK: setting(
    'an http(s) URL that takes a POSTed JSON body',
    parseUrl(['http:', 'https:']),
  ).optional(),
  YTCONV_WEBHOOK_URL: setting('an http(s) URL that takes a POSTed JSON body', parseUrl(['http:', 'https:'])).optional(),
  YTCONV_WEBHOOK_SECRET: z.string().min(16, 'at least 16 characters').optional(),
});

function ytdlpUpdates(s: z.infer<typeof serviceSchema>): YtdlpUpdateSettings {
  const pin = s.YTCONV_YTDLP_PIN ?? null;
  if (pin !== null && !LATEST_RELEASE.test(s.YTCONV_YTDLP_RELEASES)) {
    throw new ConfigError(
      "YTCONV_YTDLP_PIN needs YTCONV_YTDLP_RELEASES to end in /latest/download (GitHub's layout), to find the pinned release",
    );
  }
  const off = s.YTCONV_YTDLP
    ? 'YTCONV_YTDLP names the yt-dlp to use'
    : s.YTCONV_YTDLP_UPDATES === 'off'
      ? 'YTCONV_YTDLP_UPDATES=off'
      : null;
  return {
    off,
    managed: !s.YTCONV_YTDLP,
    releases:
      pin === null ? s.YTCONV_YTDLP_RELEASES : s.YTCONV_YTDLP_RELEASES.replace(LATEST_RELEASE, `/download/${pin}`),
    pin,
    canaryUrl: s.YTCONV_YTDLP_CANARY,
  };
}

function serviceConfig(s: z.infer<typeof serviceSchema>, root: string, searchPath: string): ServiceConfig {
  if (s.NODE_ENV === 'production' && !s.SECRET_KEY) {
    throw new ConfigError('SECRET_KEY is required in production: set it to a long random string');
  }
  const auth = s.EMAIL_HOST_USER ? { user: s.EMAIL_HOST_USER, pass: s.EMAIL_HOST_PASSWORD ?? '' } : undefined;
  const smtp = s.EMAIL_HOST
    ? { host: s.EMAIL_HOST, port: s.EMAIL_PORT, requireTLS: s.EMAIL_USE_TLS, ...(auth && { auth }) }
    : null;
  return {
    host: s.HOST,
    port: s.PORT,
    publicUrl: (s.PUBLIC_URL ?? `http://${s.HOST}:${s.PORT}`).replace(/\/+$/, ''),
    databaseUrl: s.DATABASE_URL ?? join(root, 'var', 'ytconv.sqlite3'),
    redisUrl: s.REDIS_URL,
    queuePrefix: s.YTCONV_QUEUE_PREFIX,
    redisServer: findExecutable('redis-server', searchPath),
    secretKey: s.SECRET_KEY ?? null,
    secretKeyFile: join(root, 'var', 'secret-key'),
    access: s.YTCONV_ACCESS,
    adminPassword: s.YTCONV_ADMIN_PASSWORD ?? null,
    storageDir: resolve(root, s.YTCONV_STORAGE_DIR ?? join('var', 'storage')),
    retentionSec: s.YTCONV_RETENTION,
    expireEverySec: s.YTCONV_EXPIRE_EVERY,
    workerConcurrency: s.YTCONV_WORKER_CONCURRENCY,
    ytdlpServerJobs: s.YTCONV_YTDLP_SERVER_JOBS,
    stallTimeoutSec: s.YTCONV_STALL_TIMEOUT,
    reconcileEverySec: s.YTCONV_RECONCILE_EVERY,
    maxAttempts: s.YTCONV_MAX_ATTEMPTS,
    maxQueued: s.YTCONV_MAX_QUEUED,
    logLevel: s.LOG_LEVEL,
    maxUploadBytes: s.YTCONV_MAX_UPLOAD,
    submitRate: s.YTCONV_SUBMIT_RATE.rate,
    inspectRate: s.YTCONV_INSPECT_RATE.rate,
    trustProxy: s.YTCONV_TRUST_PROXY.trust,
    email: { transport: s.SMTP_URL ?? smtp, from: s.DEFAULT_FROM_EMAIL },
    emailRetryDelaySec: s.YTCONV_EMAIL_RETRY_DELAY,
    ytdlpUpdates: ytdlpUpdates(s),
    pace: s.YTCONV_PACE.pace,
    pauseSec: s.YTCONV_PAUSE,
    botWallsToPause: s.YTCONV_PAUSE_AFTER_BOT_WALLS,
    operator: { email: s.YTCONV_OPERATOR_EMAIL ?? null, webhook: s.YTCONV_OPERATOR_WEBHOOK ?? null },
    webhooks: { url: s.YTCONV_WEBHOOK_URL ?? null, secret: s.YTCONV_WEBHOOK_SECRET ?? null },
  };
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
    YTCONV_MAX_PLAYLIST_ENTRIES: setting('a whole number such as 200', parsePositiveInt).prefault('200'),
    YTCONV_IDLE_TIMEOUT: setting(DURATION_EXPECTED, parseMaxDuration).prefault('60s'),
    YTCONV_COOKIES_FILE: setting('an existing cookies.txt file', existing('isFile')).optional(),
    YTCONV_COOKIES_DIR: setting(COOKIES_DIR_EXPECTED, (text) => parseCookiesDir(text, root)).optional(),
    YTCONV_COOKIES_SET_ASIDE: setting(SET_ASIDE_EXPECTED, parseSetAside).prefault('6h'),
    YTCONV_PROXY: setting(PROXY_EXPECTED, parseProxy).optional(),
    YTCONV_PROXIES: setting(PROXIES_EXPECTED, parseProxies).optional(),
    YTCONV_YTDLP_PLUGIN_DIRS: setting(PLUGIN_DIRS_EXPECTED, (text) => parsePluginDirs(text, root)).optional(),
    YTCONV_YTDLP_EXTRACTOR_ARGS: setting(
      'EXTRACTOR:ARG=VALUE[;ARG=VALUE…] for one or more extractors, such as youtube:player_client=default,mweb;youtubepot-bgutilhttp:base_url=http://127.0.0.1:4416',
      parseExtractorArgs,
    ).optional(),
    YTCONV_YTDLP_PLAYER_CLIENT: setting(
      "yt-dlp's YouTube player clients separated by commas, such as default,mweb",
      parsePlayerClients,
    ).optional(),
    YTCONV_YTDLP_SLEEP_REQUESTS: setting(SLEEP_REQUESTS_EXPECTED, parseSleepSeconds).optional(),
    YTCONV_YTDLP_SLEEP: setting(SLEEP_EXPECTED, parseSleepRange).optional(),
    YTCONV_TMP_DIR: setting('an existing directory', existing('isDirectory')).optional(),
    YTCONV_SPONSORBLOCK_API: setting(
      'an http:// or https:// address such as https://sponsor.ajay.app',
      parseSponsorBlockApi,
    ).prefault(DEFAULT_SPONSORBLOCK_API),
  });
}

/** Read and check the settings; throws a ConfigError naming every wrong variable. */
export function loadConfig(env: NodeJS.ProcessEnv, root: string): Config {
  // An empty value (`YTCONV_COOKIES_FILE=` in .env) means unset, as in most tools.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = schema(root).and(serviceSchema).safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name}=${JSON.stringify(given[name])} is not valid: expected ${issue.message}`;
    });
    throw new ConfigError(problems.join('; '));
  }
  const settings = parsed.data;
  const plugins = settings.YTCONV_YTDLP_PLUGIN_DIRS ?? { dirs: [], packages: [] };
  const engine: Engine = {
    tools: resolveTools(settings, env, root, plugins.packages),
    policy: {
      allowedSites: settings.YTCONV_ALLOWED_SITES,
      allowPrivateAddresses: settings.YTCONV_ALLOW_PRIVATE_ADDRESSES,
    },
    limits: {
      maxDurationSec: settings.YTCONV_MAX_DURATION,
      maxDownloadBytes: settings.YTCONV_MAX_DOWNLOAD.bytes,
      maxPlaylistEntries: settings.YTCONV_MAX_PLAYLIST_ENTRIES,
      idleTimeoutSec: settings.YTCONV_IDLE_TIMEOUT,
    },
    // The CLI runs one conversion: every core is its own. A worker shares them (queue/handlers/convert.ts).
    parallel: { cores: availableParallelism, minDurationSec: SPLIT_MIN_DURATION_SEC },
    cookies: cookiesPool(settings),
    proxies: proxyPools(settings),
    ytdlpExtras: {
      pluginDirs: plugins.dirs,
      extractorArgs: extractorArgs(settings),
      sleep: {
        requestsSec: settings.YTCONV_YTDLP_SLEEP_REQUESTS ?? null,
        downloadSec: settings.YTCONV_YTDLP_SLEEP ?? null,
      },
    },
    tmpDir: settings.YTCONV_TMP_DIR ?? tmpdir(),
    sponsorBlockApi: settings.YTCONV_SPONSORBLOCK_API,
  };
  const overriddenTools = (Object.keys(TOOL_VARIABLES) as ToolKey[]).filter((key) => given[TOOL_VARIABLES[key]]);
  const service = serviceConfig(settings, root, env.PATH ?? '');
  return deepFreeze({ root, engine, service, overriddenTools, cacheDir: join(root, 'var', 'cache') });
}

type Settings = z.infer<ReturnType<typeof schema>>;

/** YTCONV_COOKIES_FILE and the files of YTCONV_COOKIES_DIR, as one pool. */
function cookiesPool(s: Settings): Engine['cookies'] {
  const files = [...new Set([s.YTCONV_COOKIES_FILE ?? [], s.YTCONV_COOKIES_DIR ?? []].flat())];
  return files.length > 0 ? memoryCookiesPool(files, s.YTCONV_COOKIES_SET_ASIDE.seconds) : null;
}

/** YTCONV_PROXY is YTCONV_PROXIES=*=URL: one of the two. */
function proxyPools(s: Settings): ProxyPools | null {
  if (s.YTCONV_PROXY !== undefined && s.YTCONV_PROXIES !== undefined) {
    throw new ConfigError(
      'YTCONV_PROXY and YTCONV_PROXIES are both set: keep one (YTCONV_PROXY=URL is YTCONV_PROXIES=*=URL)',
    );
  }
  if (s.YTCONV_PROXY !== undefined) return { '*': [s.YTCONV_PROXY] };
  return s.YTCONV_PROXIES ?? null;
}

function extractorArgs(s: Settings): string[] {
  const merged = withPlayerClients(s.YTCONV_YTDLP_EXTRACTOR_ARGS ?? [], s.YTCONV_YTDLP_PLAYER_CLIENT ?? null);
  if (merged === null) {
    throw new ConfigError(
      'YTCONV_YTDLP_PLAYER_CLIENT is set and YTCONV_YTDLP_EXTRACTOR_ARGS names a youtube player_client too: keep one',
    );
  }
  return merged.map(renderExtractorArgs);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
