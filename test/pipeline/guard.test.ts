import assert from 'node:assert/strict';
import dns, { type LookupAddress } from 'node:dns';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import { hostname } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { ConvertError } from '../../src/errors.ts';
import { isForbiddenAddress } from '../../src/pipeline/address.ts';
import { fetchGuarded, type GuardProxy, guardedLookup, startGuardProxy } from '../../src/pipeline/guard.ts';
import { run, ToolError } from '../../src/pipeline/process.ts';
import { type ForwardProxy, startForwardProxy } from '../helpers/forward-proxy.ts';

/** On a loopback-only machine, 127.0.0.2 plays the public internet; 127.0.0.1 stays forbidden. */
const declaredPublic = (ip: string): boolean => ip !== '127.0.0.2' && isForbiddenAddress(ip);
const BODY = Buffer.from('ID3 pretend mp3 payload 0123456789');

interface TestSite {
  server: Server;
  origin: string;
  hits: string[];
}

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** A tiny site; `/hang` never answers, `/go?to=URL` redirects anywhere. */
const ROUTES: Record<string, Route> = {
  '/file.mp3': (req, res) => serveFile(req, res),
  '/big': (_req, res) => res.end(Buffer.alloc(64 * 1024)),
  '/hang': () => {},
  '/echo': (req, res) => req.pipe(res),
  '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
  '/go': (_req, res, url) => res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end(),
};

function handle(site: TestSite, req: IncomingMessage, res: ServerResponse): void {
  site.hits.push(req.url ?? '');
  const url = new URL(req.url ?? '/', site.origin);
  const route = ROUTES[url.pathname] ?? ((_req, res) => res.writeHead(404).end());
  route(req, res, url);
}

function serveFile(req: IncomingMessage, res: ServerResponse): void {
  const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  const headers = { 'content-type': 'audio/mpeg', 'accept-ranges': 'bytes' };
  if (!range) {
    res.writeHead(200, headers).end(BODY);
    return;
  }
  const [start, end] = [Number(range[1]), Number(range[2])];
  res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${BODY.length}` });
  res.end(BODY.subarray(start, end + 1));
}

async function startSite(host: string): Promise<TestSite> {
  const site: TestSite = { server: createServer(), origin: '', hits: [] };
  site.server.on('request', (req, res) => handle(site, req, res));
  await new Promise<void>((resolve) => site.server.listen(0, host, resolve));
  site.origin = `http://${host}:${(site.server.address() as AddressInfo).port}`;
  return site;
}

async function stopSite(site: TestSite): Promise<void> {
  site.server.closeAllConnections();
  await new Promise((resolve) => site.server.close(resolve));
}

let loopback: TestSite;
let publicSite: TestSite;
before(async () => {
  loopback = await startSite('127.0.0.1');
  publicSite = await startSite('127.0.0.2');
});
after(async () => {
  await stopSite(loopback);
  await stopSite(publicSite);
});

const base = { maxBytes: 1024, timeoutMs: 2000 };
const refusal = (code: string) => (err: unknown) => err instanceof ConvertError && err.code === code;

describe('fetchGuarded', () => {
  it('refuses a loopback address when private addresses are not allowed', async () => {
    await assert.rejects(
      fetchGuarded(`${loopback.origin}/file.mp3`, { ...base, allowPrivate: false }),
      refusal('forbidden_address'),
    );
    assert.deepEqual(loopback.hits, []);
  });

  it('refuses a name that resolves to loopback', async () => {
    const url = `http://localhost:${new URL(loopback.origin).port}/file.mp3`;
    await assert.rejects(fetchGuarded(url, { ...base, allowPrivate: false }), refusal('forbidden_address'));
  });

  it('fetches from loopback when private addresses are allowed', async () => {
    const body = await fetchGuarded(`${loopback.origin}/file.mp3`, { ...base, allowPrivate: true });
    assert.deepEqual(body, BODY);
  });

  it('fetches from an address the predicate declares public', async () => {
    const body = await fetchGuarded(`${publicSite.origin}/file.mp3`, {
      ...base,
      allowPrivate: false,
      isForbidden: declaredPublic,
    });
    assert.deepEqual(body, BODY);
  });

  it('refuses a URL that redirects to loopback', async () => {
    const hits = loopback.hits.length;
    const url = `${publicSite.origin}/go?to=${encodeURIComponent(`${loopback.origin}/file.mp3`)}`;
    await assert.rejects(
      fetchGuarded(url, { ...base, allowPrivate: false, isForbidden: declaredPublic }),
      refusal('forbidden_address'),
    );
    assert.equal(loopback.hits.length, hits);
  });

  it('follows redirects between allowed hosts', async () => {
    const url = `${loopback.origin}/go?to=${encodeURIComponent(`${publicSite.origin}/file.mp3`)}`;
    assert.deepEqual(await fetchGuarded(url, { ...base, allowPrivate: true }), BODY);
  });

  it('refuses a redirect to a scheme other than http and https', async () => {
    const url = `${loopback.origin}/go?to=${encodeURIComponent('file:///etc/passwd')}`;
    await assert.rejects(fetchGuarded(url, { ...base, allowPrivate: true }), refusal('network'));
  });

  it('gives up after too many redirects', async () => {
    await assert.rejects(
      fetchGuarded(`${loopback.origin}/loop`, { ...base, allowPrivate: true, maxRedirects: 3 }),
      (err) => refusal('network')(err) && /redirects/.test((err as Error).message),
    );
  });

  it('stops at the size cap', async () => {
    await assert.rejects(fetchGuarded(`${loopback.origin}/big`, { ...base, allowPrivate: true }), refusal('too_large'));
  });

  it('reports an HTTP error status as a network error', async () => {
    await assert.rejects(
      fetchGuarded(`${loopback.origin}/missing`, { ...base, allowPrivate: true }),
      refusal('network'),
    );
  });

  it('times out on a server that never answers', async () => {
    await assert.rejects(
      fetchGuarded(`${loopback.origin}/hang`, { ...base, allowPrivate: true, timeoutMs: 100 }),
      (err) => refusal('network')(err) && /timed out/.test((err as Error).message),
    );
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = fetchGuarded(`${loopback.origin}/hang`, { ...base, allowPrivate: true, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending, refusal('cancelled'));
  });
});

describe('guardedLookup', () => {
  const lookup = (fn: ReturnType<typeof guardedLookup>, host: string, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
      fn(host, { all }, (err, address) => resolve({ err, address })),
    );

  it('returns the checked address in both callback shapes', async () => {
    const fn = guardedLookup(false, () => false);
    assert.deepEqual(await lookup(fn, 'localhost', false), { err: null, address: '127.0.0.1' });
    assert.deepEqual(await lookup(fn, 'localhost', true), {
      err: null,
      address: [{ address: '127.0.0.1', family: 4 }],
    });
  });

  it('refuses with EFORBIDDEN_ADDRESS when the name resolves to a forbidden address', async () => {
    const { err } = await lookup(guardedLookup(false), 'localhost', false);
    assert.equal(err?.code, 'EFORBIDDEN_ADDRESS');
  });

  it('refuses when any one of several resolved addresses is forbidden', async (t) => {
    const answers: LookupAddress[] = [
      { address: '127.0.0.2', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    t.mock.method(dns, 'lookup', (_host: string, _opts: unknown, cb: (e: null, a: LookupAddress[]) => void) =>
      cb(null, answers),
    );
    syncBuiltinESMExports();
    t.after(() => {
      // The test's own tracker: restoring before the sync keeps the mock from outliving the test.
      t.mock.restoreAll();
      syncBuiltinESMExports();
    });
    const { err } = await lookup(guardedLookup(false, declaredPublic), 'rebind.example', false);
    assert.equal(err?.code, 'EFORBIDDEN_ADDRESS');
  });
});

interface ProxyReply {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** One request through the proxy, in the absolute form a proxy client sends. */
function viaProxy(proxy: GuardProxy, url: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  const { hostname, port } = new URL(proxy.url);
  return new Promise<ProxyReply>((resolve, reject) => {
    const req = request({ host: hostname, port, path: url, method: init.body ? 'POST' : 'GET', headers: init.headers });
    req.on('response', async (res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** CONNECT through the proxy: the status, and the open tunnel socket on success. */
function connectVia(proxy: GuardProxy, authority: string) {
  const { hostname, port } = new URL(proxy.url);
  return new Promise<{ status: number; socket: Socket }>((resolve, reject) => {
    const req = request({ host: hostname, port, method: 'CONNECT', path: authority });
    req.on('connect', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
    req.on('error', reject);
    req.end();
  });
}

async function readAll(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('startGuardProxy', () => {
  let proxy: GuardProxy;
  before(async () => {
    proxy = await startGuardProxy({ allowPrivate: false, isForbidden: declaredPublic });
  });
  after(() => proxy.close());

  it('listens on loopback only', () => {
    assert.match(proxy.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('forwards a GET to an allowed host', async () => {
    const reply = await viaProxy(proxy, `${publicSite.origin}/file.mp3`);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'audio/mpeg');
    assert.deepEqual(reply.body, BODY);
  });

  it('forwards a Range request and its 206 answer', async () => {
    const reply = await viaProxy(proxy, `${publicSite.origin}/file.mp3`, { headers: { range: 'bytes=4-10' } });
    assert.equal(reply.status, 206);
    assert.equal(reply.headers['content-range'], `bytes 4-10/${BODY.length}`);
    assert.deepEqual(reply.body, BODY.subarray(4, 11));
  });

  it('forwards a request body', async () => {
    const reply = await viaProxy(proxy, `${publicSite.origin}/echo`, { body: '{"context":{}}' });
    assert.equal(reply.body.toString(), '{"context":{}}');
  });

  it('refuses a forbidden host with 403 and records it', async () => {
    const hits = loopback.hits.length;
    const reply = await viaProxy(proxy, `${loopback.origin}/file.mp3`);
    assert.equal(reply.status, 403);
    assert.ok(proxy.refused.includes('127.0.0.1'), `refused: ${proxy.refused}`);
    assert.equal(loopback.hits.length, hits);
  });

  it('refuses a name that resolves to a forbidden address', async () => {
    const reply = await viaProxy(proxy, `http://${hostname()}:${new URL(loopback.origin).port}/file.mp3`);
    assert.equal(reply.status, 403);
    assert.ok(
      proxy.refused.some((host) => host.startsWith(`${hostname()} (127.`)),
      `refused: ${proxy.refused}`,
    );
  });

  it('refuses localhost without asking DNS (RFC 6761)', async () => {
    const reply = await viaProxy(proxy, `http://localhost:${new URL(loopback.origin).port}/file.mp3`);
    assert.equal(reply.status, 403);
    assert.ok(proxy.refused.includes('localhost'), `refused: ${proxy.refused}`);
  });

  it('refuses origin-form requests, which are not proxy requests', async () => {
    assert.equal((await viaProxy(proxy, '/file.mp3')).status, 400);
  });

  it('tunnels a CONNECT to an allowed host', async () => {
    const { status, socket } = await connectVia(proxy, new URL(publicSite.origin).host);
    assert.equal(status, 200);
    socket.end('GET /file.mp3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const response = await readAll(socket);
    assert.match(response, /^HTTP\/1\.1 200/);
    assert.ok(response.includes(BODY.toString()), response);
  });

  it('refuses a CONNECT to a forbidden host', async () => {
    const { status, socket } = await connectVia(proxy, new URL(loopback.origin).host);
    socket.destroy();
    assert.equal(status, 403);
  });

  it('refuses a CONNECT to loopback spelled as an IPv6 literal', async () => {
    const { status, socket } = await connectVia(proxy, '[::ffff:127.0.0.1]:443');
    socket.destroy();
    assert.equal(status, 403);
    assert.ok(proxy.refused.includes('::ffff:7f00:1'), `refused: ${proxy.refused}`);
  });
});

describe("startGuardProxy in front of the operator's proxy", () => {
  let operator: ForwardProxy;
  let proxy: GuardProxy;
  before(async () => {
    // On loopback, which the guard forbids as a target: the proxy is configuration, not a target.
    operator = await startForwardProxy('127.0.0.1');
    proxy = await startGuardProxy({ allowPrivate: false, isForbidden: declaredPublic, upstream: operator.url });
  });
  after(async () => {
    await proxy.close();
    await operator.close();
  });

  it('sends a GET through it, for the address it checked', async () => {
    const reply = await viaProxy(proxy, `${publicSite.origin}/file.mp3`);
    assert.equal(reply.body.toString(), BODY.toString());
    assert.ok(operator.seen.includes(`GET ${publicSite.origin}/file.mp3`), operator.seen.join('\n'));
  });

  it('tunnels a CONNECT through it', async () => {
    const { status, socket } = await connectVia(proxy, new URL(publicSite.origin).host);
    assert.equal(status, 200);
    socket.end('GET /file.mp3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.ok((await readAll(socket)).includes(BODY.toString()));
    assert.ok(operator.seen.includes(`CONNECT ${new URL(publicSite.origin).host}`), operator.seen.join('\n'));
  });

  it('refuses forbidden targets without asking it', async () => {
    const seen = operator.seen.length;
    assert.equal((await viaProxy(proxy, `${loopback.origin}/file.mp3`)).status, 403);
    const port = new URL(loopback.origin).port;
    assert.equal((await viaProxy(proxy, `http://localhost:${port}/file.mp3`)).status, 403);
    const { status, socket } = await connectVia(proxy, `localhost:${port}`);
    socket.destroy();
    assert.equal(status, 403);
    assert.deepEqual(operator.seen.slice(seen), []);
  });
});

describe('yt-dlp through the guard proxy', { skip: !existsSync('/usr/bin/yt-dlp') }, () => {
  const ytdlp = (proxy: GuardProxy, url: string) =>
    run('yt-dlp', '/usr/bin/yt-dlp', ['--ignore-config', '--no-cache-dir', '--proxy', proxy.url, '-J', '--', url], {
      timeoutMs: 20_000,
      // A no_proxy entry for 127.0.0.x would let yt-dlp bypass the proxy.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
    });

  it('extracts a direct media URL on an allowed host', async () => {
    const proxy = await startGuardProxy({ allowPrivate: false, isForbidden: declaredPublic });
    try {
      const info = JSON.parse(await ytdlp(proxy, `${publicSite.origin}/file.mp3`)) as {
        extractor: string;
        ext: string;
      };
      assert.equal(info.extractor, 'generic');
      assert.equal(info.ext, 'mp3');
      assert.deepEqual(proxy.refused, []);
    } finally {
      await proxy.close();
    }
  });

  it('is refused when the media URL redirects to loopback', async () => {
    const proxy = await startGuardProxy({ allowPrivate: false, isForbidden: declaredPublic });
    const hits = loopback.hits.length;
    try {
      const url = `${publicSite.origin}/go?to=${encodeURIComponent(`${loopback.origin}/file.mp3`)}`;
      const err = await ytdlp(proxy, url).catch((e: unknown) => e);
      assert.ok(err instanceof ToolError, 'yt-dlp fails');
      assert.match(err.stderr, /403/);
      assert.deepEqual(proxy.refused, ['127.0.0.1']);
      assert.equal(loopback.hits.length, hits);
    } finally {
      await proxy.close();
    }
  });
});
