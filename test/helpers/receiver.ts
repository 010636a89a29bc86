/**
 * A webhook receiver on loopback for tests: it keeps every request it gets (headers and the raw
 * body, for checking signatures) and answers each with the status `answer` gives for its number.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: unknown;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Resolves once `count` requests came in. */
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

/** The status of an answer, with its headers if any. */
export type Answer = number | [status: number, headers: Record<string, string>];

/** `answer(n)`: the answer to the n-th request (1-based); 204 to every one by default. */
export async function startReceiver(answer: (n: number) => Answer = () => 204): Promise<Receiver> {
  const received: Received[] = [];
  const waiting: { count: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        raw,
        body: JSON.parse(raw),
      });
      const [status, headers] = [answer(received.length)].flat() as [number, Record<string, string>?];
      res.writeHead(status, headers).end();
      for (const w of waiting.filter((w) => received.length >= w.count)) w.resolve();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/ytconv`,
    received,
    waitFor: (count) =>
      new Promise<void>((resolve) => {
        if (received.length >= count) resolve();
        else waiting.push({ count, resolve });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A receiver's own check of a `ytconv-signature` header, written from the README's description
 * rather than with ytconv's code: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, and `t`
 * within `toleranceSec` of now.
 */
export function verifySignature(key: string, header: string | string[] | undefined, raw: string, toleranceSec = 300) {
  const parts = new URLSearchParams(String(header).replaceAll(',', '&'));
  const t = Number(parts.get('t'));
  const given = Buffer.from(parts.get('v1') ?? '', 'hex');
  const expected = createHmac('sha256', key).update(`${t}.${raw}`).digest();
  const fresh = Math.abs(Date.now() / 1000 - t) <= toleranceSec;
  return fresh && given.length === expected.length && timingSafeEqual(given, expected);
}
