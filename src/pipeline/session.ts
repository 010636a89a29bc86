/**
 * What one conversion needs around yt-dlp: the address guard (a forward proxy that checks every
 * connection yt-dlp makes, redirects and media URLs included), the operator's proxy and cookies
 * for this job, and the fixed yt-dlp options.
 */
import { rm } from 'node:fs/promises';
import { ConvertError } from '../errors.ts';
import { type LentCookies, lendCookies } from './cookies.ts';
import { startGuardProxy } from './guard.ts';
import { makeWorkDir } from './leftovers.ts';
import { isSiteAllowed, ytdlpExtractorFilter } from './sources.ts';
import { ytdlpBaseArgs, ytdlpInfo } from './tools.ts';
import type { Engine, ProxyPools } from './types.ts';
import type { Ytdlp } from './ytdlp.ts';
import { ytdlpError } from './ytdlp-errors.ts';
import { WarmYtdlp, type YtdlpLease, ytdlpProcess } from './ytdlp-server.ts';

export interface Session {
  ytdlp: Ytdlp;
  /** Throws `unsupported_site` when yt-dlp's extractor for a link is not allowed here. */
  checkSite(site: string): void;
  /** `failure`: how the job ended, when it failed (a bot wall sets its cookies file aside). */
  close(failure?: unknown): Promise<void>;
}

/** yt-dlp for this job: the engine's warm one when it has one, else a process per call. */
function leaseYtdlp(engine: Engine): Promise<YtdlpLease> {
  if (engine.warmYtdlp instanceof WarmYtdlp) return engine.warmYtdlp.lease(engine.tools);
  return Promise.resolve({ start: ytdlpProcess(engine.tools.ytdlp), release: () => {} });
}

/** `site`: the link's site when known from the link alone (sources.ts), which picks its proxies. */
export async function openSession(engine: Engine, site: string | null = null): Promise<Session> {
  const { policy } = engine;
  const facts = await ytdlpInfo(engine.tools.ytdlp, { env: engine.tools.env }).catch((err: unknown) => {
    throw ytdlpError(err, []);
  });
  const upstream = pickProxy(engine.proxies, site);
  const guard = policy.allowPrivateAddresses
    ? null
    : await startGuardProxy({ allowPrivate: false, isForbidden: policy.isForbiddenAddress, upstream });
  const proxy = guard?.url ?? upstream;
  const cookies = await lendCookiesCopy(engine);
  const filter = ytdlpExtractorFilter(policy.allowedSites);
  const lease = await leaseYtdlp(engine);
  const baseArgs = [
    ...ytdlpBaseArgs(engine, facts, cookies?.lent.copy ?? null),
    ...(proxy ? ['--proxy', proxy] : []),
    ...(filter ? ['--use-extractors', filter] : []),
  ];
  return {
    ytdlp: {
      start: lease.start,
      baseArgs,
      env: proxy ? withoutProxyBypass(engine.tools.env) : engine.tools.env,
      refused: () => guard?.refused ?? [],
    },
    checkSite: (name) => {
      if (!isSiteAllowed(name, policy.allowedSites)) {
        throw new ConvertError('unsupported_site', `Links from "${name}" are not allowed on this server.`);
      }
    },
    close: async (failure) => {
      lease.release();
      await guard?.close();
      if (cookies === null) return;
      await rm(cookies.dir, { recursive: true, force: true });
      if (failure instanceof ConvertError && failure.botWall) await engine.cookies?.setAside(cookies.lent.file);
    },
  };
}

/** The job's cookies, copied into a work directory of their own (see cookies.ts). */
async function lendCookiesCopy(engine: Engine): Promise<{ lent: LentCookies; dir: string } | null> {
  if (engine.cookies === null) return null;
  const dir = await makeWorkDir(engine.tmpDir);
  const lent = await lendCookies(engine.cookies, dir).catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw err;
  });
  if (lent !== null) return { lent, dir };
  await rm(dir, { recursive: true, force: true });
  return null;
}

/**
 * Each process takes turns through a site's proxies: nothing about a proxy needs to be shared
 * between workers (none is ever set aside), and every worker spreading its own jobs evenly
 * spreads all of them evenly.
 */
const turns = new Map<string, number>();

function pickProxy(pools: ProxyPools | null, site: string | null): string | null {
  const key = site !== null && pools?.[site] ? site : '*';
  const pool = pools?.[key] ?? [];
  if (pool.length === 0) return null;
  const turn = turns.get(key) ?? 0;
  turns.set(key, turn + 1);
  return pool[turn % pool.length] ?? null;
}

/** A `no_proxy` entry matching a host would let yt-dlp go around the address guard (and the proxy). */
function withoutProxyBypass(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { no_proxy: _, NO_PROXY: __, ...rest } = env;
  return rest;
}
