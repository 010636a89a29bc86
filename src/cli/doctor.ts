/**
 * `ytconv doctor`: can this machine convert? One line per fact, ✓ fine, ! works but worth fixing,
 * ✗ conversions will fail; each problem followed by the fix.
 */
import { type Config, TOOL_VARIABLES, type ToolKey } from '../config.ts';
import { run, ToolError } from '../pipeline/process.ts';
import { ffmpegVersion, type YtdlpInfo, ytdlpInfo } from '../pipeline/tools.ts';
import { formatDuration } from '../units.ts';

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
  const groups = await Promise.all([checkNode(), checkFfmpeg(config), checkFfprobe(config), checkYtdlp(config)]);
  const checks = [...groups.flat(), pacing(config)];
  for (const check of checks) {
    write(`${check.mark} ${check.text}`);
    if (check.fix !== undefined) write(`  fix: ${check.fix}`);
  }
  return checks.every((check) => check.mark !== '✗');
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
  if (!info.supportsJsRuntimes) return { mark: '✓', text: 'JS runtime: not needed by this yt-dlp version' };
  return { mark: '✓', text: `JS runtime for yt-dlp: node ${config.engine.tools.node} (--js-runtimes)` };
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
