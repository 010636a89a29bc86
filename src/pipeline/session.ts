/**
 * What one conversion needs around yt-dlp: the address guard (a forward proxy that checks every
 * connection yt-dlp makes, redirects and media URLs included) and the fixed yt-dlp options.
 */
import { ConvertError } from '../errors.ts';
import { startGuardProxy } from './guard.ts';
import { isSiteAllowed, ytdlpExtractorFilter } from './sources.ts';
import { ytdlpBaseArgs, ytdlpInfo } from './tools.ts';
import type { Engine } from './types.ts';
import { type Ytdlp, ytdlpError } from './ytdlp.ts';
import { WarmYtdlp, type YtdlpLease, ytdlpProcess } from './ytdlp-server.ts';

export interface Session {
  ytdlp: Ytdlp;
  /** Throws `unsupported_site` when yt-dlp's extractor for a link is not allowed here. */
  checkSite(site: string): void;
  close(): Promise<void>;
}

/** yt-dlp for this job: the engine's warm one when it has one, else a process per call. */
function leaseYtdlp(engine: Engine): Promise<YtdlpLease> {
  if (engine.warmYtdlp instanceof WarmYtdlp) return engine.warmYtdlp.lease(engine.tools);
  return Promise.resolve({ start: ytdlpProcess(engine.tools.ytdlp), release: () => {} });
}

export async function openSession(engine: Engine): Promise<Session> {
  const { policy } = engine;
  const facts = await ytdlpInfo(engine.tools.ytdlp, { env: engine.tools.env }).catch((err: unknown) => {
    throw ytdlpError(err, []);
  });
  const proxy = policy.allowPrivateAddresses
    ? null
    : await startGuardProxy({ allowPrivate: false, isForbidden: policy.isForbiddenAddress });
  const filter = ytdlpExtractorFilter(policy.allowedSites);
  const lease = await leaseYtdlp(engine);
  const baseArgs = [
    ...ytdlpBaseArgs(engine, facts),
    ...(proxy ? ['--proxy', proxy.url] : []),
    ...(filter ? ['--use-extractors', filter] : []),
  ];
  return {
    ytdlp: {
      start: lease.start,
      baseArgs,
      env: proxy ? withoutProxyBypass(engine.tools.env) : engine.tools.env,
      refused: () => proxy?.refused ?? [],
    },
    checkSite: (site) => {
      if (!isSiteAllowed(site, policy.allowedSites)) {
        throw new ConvertError('unsupported_site', `Links from "${site}" are not allowed on this server.`);
      }
    },
    close: async () => {
      lease.release();
      await proxy?.close();
    },
  };
}

/** A `no_proxy` entry matching a host would let yt-dlp go around the address guard. */
function withoutProxyBypass(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { no_proxy: _, NO_PROXY: __, ...rest } = env;
  return rest;
}
