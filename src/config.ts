/**
 * The one module that reads the environment. Entry points call loadConfig once and pass the
 * frozen result down; nothing else looks at process.env. Safe defaults for one machine.
 */
import { existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ACCESS_MODES, type AccessMode } from './access.ts';
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
import { parseBoolean, parseByteSize, parseDuration } from './units.ts';

export type ToolKey = 'ffmpeg' | 'ffprobe' | 'ytdlp';

/** How to send email: an SMTP URL or options for nodemailer, or null to print emails to the log. */
export type EmailTransport =
  | string
  | { host: string; port: number; requireTLS: boolean; auth?: { user: string; pass: string } };

/** The web service's and workers' settings; the pipeline never sees these. */
export interface ServiceConfig {
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** A redis-server binary, to start a private Redis when none answers (one-machine installs). */
  readonly redisServer: string | null;
  /** Prefix of every Redis key, so several installations (or test runs) can share one Redis. */
  readonly queuePrefix: string;
  /** SECRET_KEY; null when unset, and the entry point then takes the key kept in `secretKeyFile`. */
  readonly secretKey: string | null;
  /** Where a random key is kept when SECRET_KEY is unset (see secret-key.ts). */
  readonly secretKeyFile: string;
  /** Who may use the page and the API (YTCONV_ACCESS). */
  readonly access: AccessMode;
  /** YTCONV_ADMIN_PASSWORD: the password `ytconv admin create` and `passwd` take instead of asking (scripts). */
  readonly adminPassword: string | null;
  readonly storageDir: string;
  readonly retentionSec: number;
  /** How often a worker looks for expired files to delete. */
  readonly expireEverySec: number;
  readonly workerConcurrency: number;
  /** Jobs one warm yt-dlp process serves before a fresh one replaces it (bounds what it accumulates). */
  readonly ytdlpServerJobs: number;
  /** How long a worker may go silent before its running jobs are given to another worker. */
  readonly stallTimeoutSec: number;
  /** How often lost conversions are looked for (a Redis that lost its data loses its messages). */
  readonly reconcileEverySec: number;
  /** How many times one conversion may be taken by a worker (each worker that died with it used one). */
  readonly maxAttempts: number;
  /** Conversions allowed to wait for a worker; beyond it new work is refused as `busy`. */
  readonly maxQueued: number;
  /** pino's level for the service processes' logs. */
  readonly logLevel: string;
  readonly maxUploadBytes: number;
  /** New jobs one client may submit per window; null for no limit. */
  readonly submitRate: Rate | null;
  /** Looks at a link (GET /api/inspect, a yt-dlp run each) one client may ask for per window; null for no limit. */
  readonly inspectRate: Rate | null;
  /**
   * Whom to believe about the client's address (X-Forwarded-For), as Fastify's `trustProxy`:
   * nobody, every hop, or the proxies at these addresses and CIDR ranges.
   */
  readonly trustProxy: boolean | readonly string[];
  readonly email: { readonly transport: EmailTransport | null; readonly from: string };
  /** The wait before an unsent email is tried again; it doubles with each further try. */
  readonly emailRetryDelaySec: number;
  readonly ytdlpUpdates: YtdlpUpdateSettings;
  /**
   * Sites with a convert queue of their own (yt-dlp extractor names before any `:`), each with the
   * conversions it may start per window across all workers, or null for no limit.
   */
  readonly pace: Readonly<Record<string, Rate | null>>;
  /** How long a site's work waits after it rate-limits this server or shows it the bot wall. */
  readonly pauseSec: number;
  /** Conversions in a row that meet a site's bot wall before its work is paused. */
  readonly botWallsToPause: number;
  /** Where the operator hears of a site paused or a yt-dlp that failed its canary, besides the log. */
  readonly operator: OperatorChannels;
  readonly webhooks: WebhookConfig;
}

/** The webhooks called when jobs end (jobs/webhooks.ts), besides each requester's own. */
export interface WebhookConfig {
  /** YTCONV_WEBHOOK_URL: the operator's, called for every job; null when unset. */
  readonly url: string | null;
  /** YTCONV_WEBHOOK_SECRET: the signing key; null to derive one from SECRET_KEY (secret-key.ts). */
  readonly secret: string | null;
}

/** The operator's channels for notices (jobs/operator-notices.ts); null where none is configured. */
export interface OperatorChannels {
  readonly email: string | null;
  readonly webhook: string | null;
}

/** How the service keeps yt-dlp fresh (src/jobs/ytdlp-updates.ts). */
export interface YtdlpUpdateSettings {
  /** Null when the daily check runs; else why it does not, naming the variable. */
  readonly off: string | null;
  /** Whether a version the service installed may be used at all (not when YTCONV_YTDLP names the file). */
  readonly managed: boolean;
  /** The release folder checked: it serves `SHA2-256SUMS` and `yt-dlp` (the pinned release's when pinned). */
  readonly releases: string;
  readonly pin: string | null;
  /** A link the new yt-dlp must extract before every worker switches to it. */
  readonly canaryUrl: string;
}

export interface Rate {
  readonly max: number;
  readonly windowSec: number;
}

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

/** The API's base address (a self-hosted mirror may live under a path); yt-dlp adds `/api/skipSegments/…`. */
function parseSponsorBlockApi(text: string): string | null {
  if (!URL.canParse(text.trim())) return null;
  const url = new URL(text.trim());
  const web = url.protocol === 'http:' || url.protocol === 'https:';
  return web && url.hostname !== '' && url.search === '' && url.hash === '' ? url.href.replace(/\/+$/, '') : null;
}

function parsePositiveInt(text: string): number | null {
  return /^\d+$/.test(text.trim()) && Number(text) > 0 ? Number(text) : null;
}

export const RATE_EXPECTED = 'a count per duration such as 30/1m or 100/1h, or none';

/** `30/1m` (per minute), `100/1h`, `5/30s`, or `none`; null for anything else. */
export function parseRate(text: string): { rate: Rate | null } | null {
  if (text.trim().toLowerCase() === 'none') return { rate: null };
  const [count = '', window = ''] = text.split('/');
  const max = parsePositiveInt(count);
  const windowSec = parseMaxDuration(window);
  return max !== null && windowSec !== null ? { rate: { max, windowSec } } : null;
}

/** `youtube=10/1m,vimeo=none`: a rate (or none) per site, each a yt-dlp extractor name without `:`; or none. */
function parsePace(text: string): { pace: Record<string, Rate | null> } | null {
  if (text.trim().toLowerCase() === 'none') return { pace: {} };
  const pace: Record<string, Rate | null> = {};
  for (const item of text.split(',')) {
    const [site = '', rate = ''] = item.split('=').map((part) => part.trim());
    const parsed = parseRate(rate);
    if (!/^[a-z0-9_]+$/.test(site) || parsed === null || site in pace) return null;
    pace[site] = parsed.rate;
  }
  return { pace };
}

/** Off, on (every hop), or the proxies' addresses and CIDR ranges. */
function parseTrustProxy(text: string): { trust: boolean | string[] } | null {
  const flag = parseBoolean(text);
  if (flag !== null) return { trust: flag };
  const list = text.split(',').map((item) => item.trim());
  return list.every(isAddressOrRange) ? { trust: list } : null;
}

function isAddressOrRange(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

function parseUrl(protocols: string[]) {
  return (text: string): string | null => {
    try {
      return protocols.includes(new URL(text).protocol) ? text : null;
    } catch {
      return null;
    }
  };
}

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

/**
 * The variables a child process (yt-dlp, ffmpeg, ffprobe) may see: finding programs, home and
 * per-user directories, locale and time zone, temporary files, Python's own settings, certificate
 * bundles and proxies. An allow-list, because a deny-list lets every secret added later (database
 * passwords, API tokens) through to a downloader that runs site code.
 */
const CHILD_VARIABLES =
  /^(?:PATH|HOME|LANG|LC_\w+|TZ|TMPDIR|PYTHON\w*|XDG_\w+|SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|(?:HTTPS?|ALL|NO)_PROXY|(?:https?|all|no)_proxy)$/;

function childEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => CHILD_VARIABLES.test(name)));
}

/** Absolute paths where found, so that doctor can show them; a bare name fails as not found when run. */
function resolveTools(
  settings: { YTCONV_FFMPEG?: string; YTCONV_FFPROBE?: string; YTCONV_YTDLP?: string },
  env: NodeJS.ProcessEnv,
  root: string,
  pluginPackages: readonly string[],
): Engine['tools'] {
  const find = (name: string) => findExecutable(name, env.PATH ?? '') ?? name;
  const projectYtdlp = join(root, 'var', 'bin', 'yt-dlp');
  return {
    ffmpeg: find(settings.YTCONV_FFMPEG ?? 'ffmpeg'),
    ffprobe: find(settings.YTCONV_FFPROBE ?? 'ffprobe'),
    // The copy `make install` fetched is newer than the system's, which YouTube soon breaks.
    ytdlp: find(settings.YTCONV_YTDLP ?? (existsSync(projectYtdlp) ? projectYtdlp : 'yt-dlp')),
    node: process.execPath,
    env: withPythonPath(childEnvironment(env), pluginPackages),
  };
}

/** The operator's plugin packages first on PYTHONPATH, where every yt-dlp looks for plugins. */
function withPythonPath(env: NodeJS.ProcessEnv, packages: readonly string[]): NodeJS.ProcessEnv {
  if (packages.length === 0) return env;
  return { ...env, PYTHONPATH: [...packages, env.PYTHONPATH].filter(Boolean).join(':') };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
