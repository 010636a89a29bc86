/** The tools children are started as (ffmpeg, ffprobe, yt-dlp, Node), and the environment they get. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from './pipeline/tools.ts';
import type { Engine } from './pipeline/types.ts';

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
export function resolveTools(
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
