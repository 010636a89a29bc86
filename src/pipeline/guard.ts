/**
 * The address policy enforced where connections are made. A check before the download and a
 * second DNS lookup at connect time could disagree (DNS rebinding), so names are resolved once, by
 * a lookup that refuses forbidden answers, and the socket goes to exactly the address checked.
 * IP literals skip lookups in node:net, so they are judged separately before connecting.
 */
import { promises as dns, lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type LookupFunction, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConvertError } from '../errors.ts';
import { hostForbidden, isForbiddenAddress } from './address.ts';
import { checkedAddress, direct, tunnelVia, viaProxy } from './guard-upstream.ts';

// Not `import … from 'node:http'`: an ES import copies every export, and node:http's lazy
// WebSocket ones load undici (fetch, zlib, crypto: tens of ms before yt-dlp can start). node:https
// (TLS) is taken only when a thumbnail is fetched over https.
const { createServer, get: httpGet, request: httpRequest } = process.getBuiltinModule('node:http');

export type AddressPredicate = (ip: string) => boolean;

/** A connection refused by the address policy (`code` in the style of node's socket errors). */
export class ForbiddenAddressError extends Error {
  override readonly name = 'ForbiddenAddressError';
  readonly code = 'EFORBIDDEN_ADDRESS';
  readonly host: string;

  constructor(host: string, address: string) {
    super(
      host === address
        ? `${host} is a private or reserved address`
        : `${host} resolves to ${address}, a private or reserved address`,
    );
    this.host = host === address ? host : `${host} (${address})`;
  }
}

/**
 * A `dns.lookup` for the `lookup` option of net.connect/http.request: resolves all addresses,
 * fails if any is forbidden (so the OS cannot pick a bad one later), and hands back only those.
 */
export function guardedLookup(
  allowPrivate: boolean,
  isForbidden: AddressPredicate = isForbiddenAddress,
): LookupFunction {
  if (allowPrivate) return dnsLookup;
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, []);
      const bad = addresses.find((a) => isForbidden(a.address));
      if (bad) return callback(new ForbiddenAddressError(hostname, bad.address), []);
      const [first] = addresses;
      if (options.all || !first) return callback(null, addresses);
      callback(null, first.address, first.family);
    });
  };
}

/** Every address a host name has. */
export type ResolveAll = (hostname: string) => Promise<readonly string[]>;

export const resolveAll: ResolveAll = async (hostname) =>
  (await dns.lookup(hostname, { all: true })).map((a) => a.address);

/**
 * Whether a host name resolves to a forbidden address (any one of them), to refuse a link before
 * a job exists: null when DNS failed or did not answer within `timeoutMs`. That check is advice;
 * the lookup at connect time (guardedLookup) is the one that holds, so "cannot tell" may pass.
 */
export async function resolvesForbidden(
  hostname: string,
  opts: { resolve: ResolveAll; timeoutMs: number; isForbidden?: AddressPredicate },
): Promise<boolean | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), opts.timeoutMs);
  });
  // `name.` is the same name as `name`, but some resolvers answer only the second (glibc: localhost).
  const judged = opts.resolve(hostname.replace(/\.$/, '')).then(
    (addresses) => addresses.some(opts.isForbidden ?? isForbiddenAddress),
    () => null,
  );
  try {
    return await Promise.race([judged, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Throws ForbiddenAddressError when `hostname` (as URL leaves it) is a forbidden IP literal. */
export function checkLiteral(
  hostname: string,
  allowPrivate: boolean,
  isForbidden: AddressPredicate = isForbiddenAddress,
): void {
  if (!allowPrivate && hostForbidden(hostname, isForbidden)) {
    const bare = hostname.replace(/^\[(.*)\]$/, '$1');
    throw new ForbiddenAddressError(bare, bare);
  }
}

export interface FetchGuardedOptions {
  allowPrivate: boolean;
  isForbidden?: AddressPredicate;
  signal?: AbortSignal;
  maxBytes: number;
  /** For the whole fetch, redirects included. */
  timeoutMs: number;
  maxRedirects?: number;
}

/** GET a small resource (a thumbnail), following redirects itself so that every hop is checked. */
export async function fetchGuarded(url: string, opts: FetchGuardedOptions): Promise<Buffer> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  const lookup = guardedLookup(opts.allowPrivate, opts.isForbidden);
  if (!URL.canParse(url)) throw new ConvertError('invalid_url', `"${url}" is not a valid URL.`);
  let target = new URL(url);
  try {
    for (let hop = 0; hop <= (opts.maxRedirects ?? 5); hop++) {
      const res = await getOnce(target, opts, lookup, signal);
      const location =
        res.statusCode && res.statusCode >= 300 && res.statusCode < 400 ? res.headers.location : undefined;
      if (location === undefined) return await readBody(res, target, opts.maxBytes);
      res.resume();
      target = new URL(location, target);
    }
  } catch (err) {
    throw fetchError(err, target, opts.signal?.aborted === true, timeout.aborted);
  }
  throw new ConvertError('network', `Too many redirects fetching ${target.host}.`);
}

function getOnce(
  target: URL,
  opts: FetchGuardedOptions,
  lookup: LookupFunction,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new ConvertError('network', `Refusing to fetch a ${target.protocol} URL.`);
  }
  checkLiteral(target.hostname, opts.allowPrivate, opts.isForbidden ?? isForbiddenAddress);
  const get = target.protocol === 'https:' ? process.getBuiltinModule('node:https').get : httpGet;
  return new Promise((resolve, reject) => {
    // agent: false, because a pooled socket may have been opened under a laxer policy.
    get(target, { lookup, signal, agent: false }, resolve).on('error', reject);
  });
}

async function readBody(res: IncomingMessage, target: URL, maxBytes: number): Promise<Buffer> {
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    res.resume();
    throw new ConvertError('network', `${target.host} answered HTTP ${status}.`);
  }
  const tooLarge = () => new ConvertError('too_large', `The file at ${target.host} is larger than ${maxBytes} bytes.`);
  if (Number(res.headers['content-length'] ?? 0) > maxBytes) {
    res.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      res.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function fetchError(err: unknown, target: URL, cancelled: boolean, timedOut: boolean): ConvertError {
  if (err instanceof ConvertError) return err;
  if (err instanceof ForbiddenAddressError) {
    return new ConvertError('forbidden_address', `Refused to connect to ${err.host}: ${err.message}.`, { cause: err });
  }
  if (cancelled) return new ConvertError('cancelled', 'The download was cancelled.', { cause: err });
  return new ConvertError('network', `Fetching from ${target.host} ${timedOut ? 'timed out' : 'failed'}.`, {
    cause: err,
  });
}

export interface GuardProxyOptions {
  allowPrivate: boolean;
  isForbidden?: AddressPredicate;
  /** The operator's http:// proxy to go through, if any (see guard-upstream.ts). */
  upstream?: string | null;
}

export interface GuardProxy {
  /** `http://127.0.0.1:PORT`, for yt-dlp's `--proxy`. */
  readonly url: string;
  /** Hosts (with the address, when resolved) refused so far, in order. */
  readonly refused: string[];
  close(): Promise<void>;
}

/**
 * An HTTP forward proxy on loopback that applies the address policy to everything yt-dlp opens:
 * plain requests in absolute form, and CONNECT tunnels for https. A refusal is answered with 403
 * and recorded, so the caller can tell yt-dlp's "HTTP Error 403" apart from a site's own.
 */
export async function startGuardProxy(opts: GuardProxyOptions): Promise<GuardProxy> {
  const isForbidden = opts.isForbidden ?? isForbiddenAddress;
  const lookup = guardedLookup(opts.allowPrivate, isForbidden);
  const refused: string[] = [];
  const tunnels = new Set<Duplex>();
  const guard = (hostname: string): void => checkLiteral(hostname, opts.allowPrivate, isForbidden);
  const ctx: ProxyContext = { guard, lookup, refused, upstream: opts.upstream ? new URL(opts.upstream) : null };
  const server = createServer((req, res) => forward(req, res, ctx));
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    tunnels.add(client);
    client.once('close', () => tunnels.delete(client));
    tunnel(req, client, head, ctx);
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of tunnels) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface ProxyContext {
  guard(hostname: string): void;
  lookup: LookupFunction;
  refused: string[];
  upstream: URL | null;
}

/** Headers that describe one connection, not the message, and so stop at a proxy (RFC 9110 §7.6.1). */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

function endToEnd<T extends Record<string, unknown>>(headers: T): T {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase());
  return Object.fromEntries(
    Object.entries(headers).filter(([k]) => !HOP_BY_HOP.includes(k) && !named.includes(k)),
  ) as T;
}

function forward(req: IncomingMessage, res: ServerResponse, ctx: ProxyContext): void {
  const target = URL.canParse(req.url ?? '') ? new URL(req.url ?? '') : null;
  if (target?.protocol !== 'http:') {
    res
      .writeHead(400, { 'content-type': 'text/plain' })
      .end('Only absolute http:// requests and CONNECT are proxied.\n');
    return;
  }
  try {
    ctx.guard(target.hostname);
  } catch (err) {
    refuse(err, res, ctx);
    return;
  }
  const { upstream: proxy, lookup } = ctx;
  const route = proxy
    ? checkedAddress(target.hostname, lookup).then((address) => viaProxy(proxy, target, address))
    : Promise.resolve(direct(target, lookup));
  route.then(
    (options) => {
      // Host follows the request target, which is what was checked.
      const headers = { ...endToEnd(req.headers), host: target.host, ...options.headers };
      const upstream = httpRequest({ ...options, method: req.method, headers, agent: false }, (up) => {
        res.writeHead(up.statusCode ?? 502, endToEnd(up.headers));
        pipeline(up, res).catch(() => res.destroy());
      });
      upstream.on('error', (err) => refuse(err, res, ctx));
      pipeline(req, upstream).catch(() => upstream.destroy());
    },
    (err: unknown) => refuse(err, res, ctx),
  );
}

/** Answer a failed forward: 403 (and a record) for the policy, 502 for anything else. */
function refuse(err: unknown, res: ServerResponse, ctx: ProxyContext): void {
  const forbidden = err instanceof ForbiddenAddressError;
  if (forbidden) ctx.refused.push(err.host);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const message = err instanceof Error ? err.message : 'upstream failed';
  res
    .writeHead(forbidden ? 403 : 502, { 'content-type': 'text/plain', connection: 'close' })
    .end(`ytconv proxy: ${message}\n`);
}

function tunnel(req: IncomingMessage, client: Duplex, head: Buffer, ctx: ProxyContext): void {
  const answer = (status: string, err?: unknown): void => {
    if (err instanceof ForbiddenAddressError) ctx.refused.push(err.host);
    client.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  client.on('error', () => client.destroy());
  // The authority `host:port` parsed as a URL normalises IPv4 spellings just as fetches see them.
  const target = URL.canParse(`http://${req.url}`) ? new URL(`http://${req.url}`) : null;
  if (!target || target.username || target.pathname !== '/') {
    answer('400 Bad Request');
    return;
  }
  try {
    ctx.guard(target.hostname);
  } catch (err) {
    answer('403 Forbidden', err);
    return;
  }
  const failed = (err: unknown) =>
    answer(err instanceof ForbiddenAddressError ? '403 Forbidden' : '502 Bad Gateway', err);
  const port = Number(target.port || 80);
  const { upstream: proxy } = ctx;
  if (proxy) {
    checkedAddress(target.hostname, ctx.lookup)
      .then((address) => tunnelVia(proxy, address, port))
      .then(({ socket, rest }) => splice(client, socket, head, rest), failed);
    return;
  }
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const upstream = connect({ host, port, lookup: ctx.lookup });
  upstream.once('error', failed);
  upstream.once('connect', () => splice(client, upstream, head));
}

/**
 * Join the client and the upstream socket once the tunnel is up; either end closing closes both.
 * `head`: the client's bytes that came with its CONNECT; `rest`: the proxy's that came with its 200.
 */
function splice(client: Duplex, upstream: Socket, head: Buffer, rest?: Buffer): void {
  upstream.removeAllListeners('error');
  upstream.on('error', () => client.destroy());
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  if (rest && rest.length > 0) client.write(rest);
  upstream.write(head);
  upstream.pipe(client);
  client.pipe(upstream);
}
