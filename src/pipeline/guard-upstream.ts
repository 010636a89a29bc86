/**
 * The address guard in front of the operator's proxy (YTCONV_PROXIES). The guard still judges
 * every target and resolves its name itself; the proxy is then asked for the checked address
 * (`CONNECT 203.0.113.5:443`, or `GET http://203.0.113.5/…` with the name in Host), so a name the
 * proxy would resolve to somewhere else (DNS rebinding) cannot lead a user's link to a private
 * address. The proxy's own address is the operator's choice and is not judged: a proxy on
 * loopback or on the LAN is normal. TLS inside a tunnel still names the site (SNI), unchanged.
 */
import type { RequestOptions } from 'node:http';
import { connect, isIP, isIPv6, type LookupFunction, type Socket } from 'node:net';
import { urlToHttpOptions } from 'node:url';

/**
 * The one address `hostname` resolves to, through the guard's lookup (which refuses forbidden
 * ones). An IP literal is itself, as node:net takes it: the guard has judged it already.
 */
export function checkedAddress(hostname: string, lookup: LookupFunction): Promise<string> {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) !== 0) return Promise.resolve(bare);
  return new Promise((resolve, reject) => {
    lookup(bare, { all: false }, (err, address) => (err ? reject(err) : resolve(String(address))));
  });
}

function authority(address: string, port: string | number): string {
  return `${isIPv6(address) ? `[${address}]` : address}:${port}`;
}

function proxyAuthorization(upstream: URL): Record<string, string> {
  if (upstream.username === '') return {};
  const credentials = `${decodeURIComponent(upstream.username)}:${decodeURIComponent(upstream.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/** Request options that send a plain http request for `target`, at `address`, through the proxy. */
export function viaProxy(upstream: URL, target: URL, address: string): RequestOptions {
  const pinned = new URL(target);
  pinned.host = authority(address, target.port || 80);
  return {
    host: upstream.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: Number(upstream.port || 80),
    path: pinned.href,
    headers: proxyAuthorization(upstream),
  };
}

/** Request options that send `target` straight to its site, resolved by the guard's lookup. */
export function direct(target: URL, lookup: LookupFunction): RequestOptions {
  return { ...urlToHttpOptions(target), lookup };
}

/** Thrown when the proxy refuses a tunnel or answers something that is not HTTP. */
export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
}

/**
 * A tunnel to `address:port` through the proxy: the socket once the proxy said 200, and whatever
 * bytes of the tunnel came with that answer.
 */
export function tunnelVia(upstream: URL, address: string, port: number): Promise<{ socket: Socket; rest: Buffer }> {
  const socket = connect({ host: upstream.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(upstream.port || 80) });
  const target = authority(address, port);
  const headers = Object.entries({ host: target, ...proxyAuthorization(upstream) }).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.write(`CONNECT ${target} HTTP/1.1\r\n${headers.join('')}\r\n`);
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) {
        if (received.length > 16_384) fail(new UpstreamError('the proxy sent an endless answer'));
        return;
      }
      socket.off('data', onData).off('error', fail).off('end', ended);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received.toString('latin1'))?.[1];
      if (status !== '200') return fail(new UpstreamError(`the proxy answered ${status ?? 'garbage'} to CONNECT`));
      resolve({ socket, rest: received.subarray(end + 4) });
    };
    const ended = () => fail(new UpstreamError('the proxy closed the connection'));
    socket.on('data', onData).on('error', fail).on('end', ended);
  });
}
