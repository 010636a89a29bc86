/** What `ytconv ytdlp status`, doctor and the admin page say about the yt-dlp workers use. */
import { readYtdlpState } from '../db/ytdlp-state.ts';
import { parseYtdlpVersion, ytdlpInfo, ytdlpJsRuntime } from '../pipeline/tools.ts';
import type { UpdateDeps } from './ytdlp-updates.ts';

export interface YtdlpStatus {
  /** Null when the configured yt-dlp does not answer. */
  version: string | null;
  path: string;
  /** Installed by the service (else the configured one). */
  installed: boolean;
  /** The `--js-runtimes` value it gets; null when it takes none (or does not run). */
  jsRuntime: string | null;
  /** Days since the release date its version names; null when the version names none. */
  ageDays: number | null;
  /** When the service switched to it, and how (`update` or `rollback`). */
  since: { at: number; how: string } | null;
  previous: string | null;
  /** `daily`, `pinned to …`, or `off (…)`. */
  updates: string;
  lastCheck: { at: number; outcome: string; message: string } | null;
  lastCanary: { at: number; version: string; passed: boolean; message: string } | null;
}

const DAY_MS = 86_400_000;

function ageDays(version: string | null): number | null {
  const released = version === null ? null : parseYtdlpVersion(version).released;
  return released === null ? null : Math.floor((Date.now() - released.getTime()) / DAY_MS);
}

/** The JS runtime as doctor and the admin's health panel say it. */
export function jsRuntimeText(runtime: string | null): string {
  return runtime === null ? 'not needed by this yt-dlp version' : `${runtime} (--js-runtimes)`;
}

export type YtdlpStatusDeps = Pick<UpdateDeps, 'db' | 'storage' | 'engine' | 'settings'>;

export async function ytdlpStatus(
  deps: Pick<UpdateDeps, 'db' | 'storage' | 'engine' | 'settings'>,
): Promise<YtdlpStatus> {
  const { settings, engine } = deps;
  const state = await readYtdlpState(deps.db);
  const installed = settings.managed && state.current_path !== null;
  const path = installed && state.current_path ? deps.storage.resolve(state.current_path) : engine.tools.ytdlp;
  const version = installed
    ? state.current_version
    : await ytdlpInfo(path, { env: engine.tools.env }).then(
        (info) => info.version,
        () => null,
      );
  const { current_since: at, current_how: how, checked_at, canary_at, canary_version: canaryVersion } = state;
  return {
    version,
    path,
    installed,
    jsRuntime: version === null ? null : ytdlpJsRuntime(engine, parseYtdlpVersion(version)),
    ageDays: ageDays(version),
    since: installed && at !== null && how !== null ? { at, how } : null,
    previous: installed ? state.previous_version : null,
    updates:
      settings.off !== null ? `off (${settings.off})` : settings.pin !== null ? `pinned to ${settings.pin}` : 'daily',
    lastCheck:
      checked_at === null
        ? null
        : { at: checked_at, outcome: state.check_outcome ?? '', message: state.check_message ?? '' },
    lastCanary:
      canary_at === null || canaryVersion === null
        ? null
        : {
            at: canary_at,
            version: canaryVersion,
            passed: state.canary_error === null,
            message: state.canary_message ?? '',
          },
  };
}
