/**
 * `ytconv doctor`: can this machine convert? One line per fact, ✓ fine, ! works but worth fixing,
 * ✗ conversions will fail; each problem followed by the fix.
 */
import { existsSync } from 'node:fs';
import type { AccessMode } from '../access.ts';
import { type Config, TOOL_VARIABLES, type ToolKey } from '../config.ts';
import { openDatabase, parseDatabaseUrl } from '../db/connect.ts';
import { cookiesStatus } from '../jobs/cookies-pool.ts';
import { jsRuntimeText } from '../jobs/ytdlp-status.ts';
import { run, ToolError } from '../pipeline/process.ts';
import { ffmpegVersion, type YtdlpInfo, ytdlpInfo, ytdlpJsRuntime } from '../pipeline/tools.ts';
import { formatDuration } from '../units.ts';
import { cookiesLines } from './cookies-lines.ts';

interface Check {
  mark: '✓' | '!' | '✗';
  text: string;
  fix?: string;
}

const MIN_NODE = [22, 18] as const;
const YTDLP_MAX_AGE_DAYS = 60;
const DAY_MS = 86_400_000;
const PROBE_TIMEOUT_MS = 20_000;

/** Print the checks through `write`; false when conversions cannot work here. */
export async function runDoctor(config: Config, write: (line: string) => void): Promise<boolean> {
  const groups = await Promise.all([
    checkNode(),
    checkFfmpeg(config),
    checkFfprobe(config),
    checkYtdlp(config),
    checkLevers(config),
  ]);
  const checks = [
    ...groups.flat(),
    pacing(config),
    operatorNotices(config),
    webhooks(config),
    access(config),
    sponsorBlockApi(config),
  ];
  for (const check of checks) {
    write(`${check.mark} ${check.text}`);
    if (check.fix !== undefined) write(`  fix: ${check.fix}`);
  }
  return checks.every((check) => check.mark !== '✗');
}

/** Named, not asked: yt-dlp asks it per job, and a job converts without cuts when it cannot. */
function sponsorBlockApi(config: Config): Check {
  return { mark: '✓', text: `SponsorBlock API (YTCONV_SPONSORBLOCK_API): ${config.engine.sponsorBlockApi}` };
}

function checkNode(): Check[] {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const [minMajor, minMinor] = MIN_NODE;
  const text = `Node ${process.versions.node} (${process.execPath})`;
  if (major > minMajor || (major === minMajor && minor >= minMinor)) return [{ mark: '✓', text }];
  return [
    {
      mark: '✗',
      text: `${text} is too old`,
      fix: `ytconv needs Node >= ${MIN_NODE.join('.')}: run make install`,
    },
  ];
}

async function checkFfmpeg(config: Config): Promise<Check[]> {
  const path = config.engine.tools.ffmpeg;
  const [version, mp3] = await Promise.allSettled([
    ffmpegVersion('ffmpeg', path, config.engine.tools.env),
    encodesMp3(path, config.engine.tools.env),
  ]);
  if (version.status === 'rejected') return [missing(config, 'ffmpeg', version.reason)];
  const found: Check = { mark: '✓', text: `ffmpeg ${version.value} (${path})` };
  if (mp3.status === 'fulfilled') return [found, { mark: '✓', text: 'ffmpeg encodes MP3 (libmp3lame)' }];
  return [
    found,
    {
      mark: '✗',
      text: 'ffmpeg cannot encode MP3 (libmp3lame)',
      fix: `use an ffmpeg built with libmp3lame (Debian's is), on PATH or through ${TOOL_VARIABLES.ffmpeg}`,
    },
  ];
}

/** A tenth of a second of silence through the MP3 encoder, thrown away. */
function encodesMp3(ffmpeg: string, env: NodeJS.ProcessEnv): Promise<string> {
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono'];
  return run('ffmpeg', ffmpeg, [...args, '-t', '0.1', '-c:a', 'libmp3lame', '-f', 'null', '-'], {
    env,
    timeoutMs: PROBE_TIMEOUT_MS,
  });
}

async function checkFfprobe(config: Config): Promise<Check[]> {
  const path = config.engine.tools.ffprobe;
  try {
    return [{ mark: '✓', text: `ffprobe ${await ffmpegVersion('ffprobe', path, config.engine.tools.env)} (${path})` }];
  } catch (err) {
    return [missing(config, 'ffprobe', err)];
  }
}

async function checkYtdlp(config: Config): Promise<Check[]> {
  const path = config.engine.tools.ytdlp;
  let info: YtdlpInfo;
  try {
    info = await ytdlpInfo(path, { cacheDir: config.cacheDir, env: config.engine.tools.env });
  } catch (err) {
    return [missing(config, 'ytdlp', err)];
  }
  return [ytdlpAge(info, path), jsRuntime(config, info), ytdlpUpdates(config)];
}

/** The settings only: which version workers use now is the database's (`ytconv ytdlp status`). */
function ytdlpUpdates(config: Config): Check {
  const { off, pin, releases, canaryUrl } = config.service.ytdlpUpdates;
  if (off !== null) return { mark: '✓', text: `yt-dlp updates: off (${off})` };
  const how = pin === null ? 'daily' : `pinned to ${pin}`;
  return { mark: '✓', text: `yt-dlp updates: ${how}, from ${releases}, canary ${canaryUrl} (ytconv ytdlp status)` };
}

function ytdlpAge(info: YtdlpInfo, path: string): Check {
  const text = `yt-dlp ${info.version} (${path})`;
  const fix = `YouTube changes often; old yt-dlp versions break: run ytconv ytdlp update or make update-ytdlp / set ${TOOL_VARIABLES.ytdlp}`;
  if (info.released === null) return { mark: '!', text: `${text}: cannot tell its age`, fix };
  const days = Math.floor((Date.now() - info.released.getTime()) / DAY_MS);
  if (days > YTDLP_MAX_AGE_DAYS) return { mark: '!', text: `${text} is ${days} days old`, fix };
  return { mark: '✓', text: `${text}, ${days} days old` };
}

function jsRuntime(config: Config, info: YtdlpInfo): Check {
  return { mark: '✓', text: `JS runtime for yt-dlp: ${jsRuntimeText(ytdlpJsRuntime(config.engine, info))}` };
}

/** The sites' pacing and pauses, as the workers apply them (YTCONV_PACE, YTCONV_PAUSE…). */
function pacing(config: Config): Check {
  const { pace, pauseSec, botWallsToPause } = config.service;
  const sites = Object.entries(pace).map(([site, rate]) =>
    rate === null ? `${site} (no limit)` : `${site} ${rate.max} per ${formatDuration(rate.windowSec)}`,
  );
  const paced = sites.length > 0 ? `paced: ${sites.join(', ')}` : 'no site paced';
  return {
    mark: '✓',
    text: `${paced}; a site pauses ${formatDuration(pauseSec)} after a rate limit or ${botWallsToPause} bot walls in a row`,
  };
}

/**
 * Where the operator hears of a site paused or a failed canary. A webhook's path often holds its
 * secret (chat services put the token there), so only its origin is shown.
 */
function operatorNotices(config: Config): Check {
  const { email, webhook } = config.service.operator;
  const channels = [email && `email to ${email}`, webhook && `a webhook at ${new URL(webhook).origin}/…`];
  const told = channels.filter(Boolean);
  if (told.length === 0) {
    return {
      mark: '✓',
      text: 'operator notices: the log only (YTCONV_OPERATOR_EMAIL, YTCONV_OPERATOR_WEBHOOK add email and a webhook)',
    };
  }
  return { mark: '✓', text: `operator notices (a site paused, a failed canary): ${told.join(', ')}` };
}

/** Where jobs' ends are told besides each request's own webhook, and with which key; as above, an origin only. */
function webhooks(config: Config): Check {
  const { url, secret } = config.service.webhooks;
  const every = url === null ? 'YTCONV_WEBHOOK_URL unset' : `every job's also to ${new URL(url).origin}/…`;
  const key = secret === null ? 'a key derived from SECRET_KEY' : 'YTCONV_WEBHOOK_SECRET';
  return { mark: '✓', text: `webhooks: each job's own (webhook_url), ${every}; signed with ${key}` };
}

const ACCESS_TEXTS: Record<AccessMode, string> = {
  open: 'open: everyone may use the page and the API',
  login: 'login: the page and the API need a signed-in person (ytconv admin create NAME --role user)',
  apikey:
    'apikey: the API needs an API key (ytconv apikey create NAME) or a signed-in person; the page, a signed-in person',
};

/** Who may use the service (YTCONV_ACCESS). */
function access(config: Config): Check {
  return { mark: '✓', text: `access ${ACCESS_TEXTS[config.service.access]}` };
}

const LEVERS_HINT = 'see "When YouTube blocks your server" in the README';
/** The cookies pool's state comes from the database; doctor does not wait long for it. */
const DATABASE_TIMEOUT_MS = 3_000;

/** The operator's levers on yt-dlp as configured (proxy passwords hidden), and the cookies pool's state. */
async function checkLevers(config: Config): Promise<Check[]> {
  const { cookies, proxies, ytdlpExtras } = config.engine;
  const checks: Check[] = [];
  if (cookies !== null) checks.push(...(await cookiesChecks(config)));
  for (const [site, urls] of Object.entries(proxies ?? {})) {
    checks.push({
      mark: '✓',
      text: `proxies for ${site === '*' ? 'every other site' : site}: ${urls.map(hidePassword).join(', ')}`,
    });
  }
  for (const dir of ytdlpExtras.pluginDirs) checks.push({ mark: '✓', text: `yt-dlp plugin folder: ${dir}` });
  for (const value of ytdlpExtras.extractorArgs)
    checks.push({ mark: '✓', text: `yt-dlp extractor arguments: ${value}` });
  const spacing = sleepText(ytdlpExtras.sleep);
  if (spacing !== null) checks.push({ mark: '✓', text: `yt-dlp spacing: ${spacing}` });
  if (checks.length > 0) return checks;
  return [
    {
      mark: '✓',
      text: `no cookies, proxies, yt-dlp plugins, extractor arguments or spacing configured (${LEVERS_HINT})`,
    },
  ];
}

/** YTCONV_YTDLP_SLEEP_REQUESTS and YTCONV_YTDLP_SLEEP in words; null when neither is set. */
function sleepText({ requestsSec, downloadSec }: Config['engine']['ytdlpExtras']['sleep']): string | null {
  const parts = [
    requestsSec !== null && `${requestsSec} s between requests`,
    downloadSec !== null &&
      `${downloadSec.min === downloadSec.max ? downloadSec.min : `${downloadSec.min}-${downloadSec.max}`} s before each download`,
  ].filter((part) => part !== false);
  return parts.length > 0 ? parts.join(', ') : null;
}

function hidePassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.href.replace(/\/$/, '');
}

async function cookiesChecks(config: Config): Promise<Check[]> {
  const pool = config.engine.cookies;
  if (pool === null) return [];
  const aside = pool.setAsideSec === null ? 'until put back' : `for ${pool.setAsideSec} s`;
  const head: Check = {
    mark: '✓',
    text: `cookies pool: ${pool.files.length} file(s), set aside ${aside} after a bot wall`,
  };
  const location = parseDatabaseUrl(config.service.databaseUrl);
  if (location.kind === 'sqlite' && !existsSync(location.path)) return [head];
  const db = openDatabase(config.service.databaseUrl);
  try {
    const timeout = new Promise<never>((_, reject) => setTimeout(reject, DATABASE_TIMEOUT_MS).unref());
    const status = await Promise.race([cookiesStatus(db, pool.files), timeout]);
    return [
      head,
      ...cookiesLines(status).map((line, i): Check => {
        const name = status[i]?.name ?? '';
        if (status[i]?.setAside === null) return { mark: '✓', text: `cookies ${line}` };
        return {
          mark: '!',
          text: `cookies ${line}`,
          fix: `export fresh cookies into ${name}, then: ytconv admin cookies-back ${name}`,
        };
      }),
    ];
  } catch {
    return [
      head,
      { mark: '!', text: 'cookies pool: which files are set aside is unknown (the database did not answer)' },
    ];
  } finally {
    await db.destroy();
  }
}

const INSTALL_HINTS: Record<ToolKey, string> = {
  ffmpeg: 'install ffmpeg: make install (as root on Debian/Ubuntu), apt-get install ffmpeg or brew install ffmpeg',
  ffprobe: 'install ffmpeg (it brings ffprobe): make install (as root on Debian/Ubuntu), apt-get install ffmpeg',
  ytdlp: 'run make install (it fetches the newest yt-dlp or installs the system one)',
};

/** The ✗ line for a tool that did not answer, with the fix that fits how its path was chosen. */
function missing(config: Config, key: ToolKey, err: unknown): Check {
  const name = key === 'ytdlp' ? 'yt-dlp' : key;
  const path = config.engine.tools[key];
  const why = err instanceof ToolError && !err.notFound ? `does not run (${err.message})` : 'not found';
  const variable = TOOL_VARIABLES[key];
  const fix = config.overriddenTools.includes(key)
    ? `${variable}=${path}: point it at a working ${name}, or unset it`
    : `${INSTALL_HINTS[key]}; or set ${variable}`;
  return { mark: '✗', text: `${name} ${why}: ${path}`, fix };
}
