/** Sending a file the way a CDN does (single byte ranges), with the stand-in site's delivery faults. */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SendOptions {
  contentType: string;
  /** No Content-Length (chunked encoding) and Range ignored, so the size shows only at the end. */
  hideSize?: boolean;
  bytesPerSecond?: number;
  /** Told the size of each part of the body as it goes to the client. */
  onSent?: (bytes: number) => void;
  /** Send half of the body, then destroy the connection (drop) or keep it open sending nothing (stall). */
  cut?: 'drop' | 'stall';
}

interface ByteRange {
  start: number;
  /** Inclusive, as in HTTP. */
  end: number;
}

/**
 * The range a Range header asks for within `size` bytes: null to send the whole file (no header,
 * or one we do not honour, which RFC 9110 allows), 'unsatisfiable' for a 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return null;
  const [first, last] = [match[1] ? Number(match[1]) : null, match[2] ? Number(match[2]) : null];
  if (first === null) {
    // A suffix range: the last N bytes.
    return last === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - (last ?? 0)), end: size - 1 };
  }
  if (last !== null && last < first) return null;
  if (first >= size) return 'unsatisfiable';
  return { start: first, end: Math.min(last ?? size - 1, size - 1) };
}

export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  opts: SendOptions,
): Promise<void> {
  const { size } = await stat(path);
  const range = opts.hideSize ? null : parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  res.writeHead(range ? 206 : 200, {
    'Content-Type': opts.contentType,
    ...(opts.hideSize ? {} : { 'Accept-Ranges': 'bytes', 'Content-Length': end - start + 1 }),
    ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (req.method === 'HEAD' || end < start) {
    res.end();
    return;
  }
  if (opts.cut) return sendHalf(res, path, start, end, opts);
  const body = createReadStream(path, { start, end });
  await pipeline(body, meter(opts.bytesPerSecond, opts.onSent), res).catch(() => {
    // The client went away (a cancelled download); nothing to clean up beyond what pipeline did.
  });
}

async function sendHalf(
  res: ServerResponse,
  path: string,
  start: number,
  end: number,
  { cut, onSent }: SendOptions,
): Promise<void> {
  const bytes = (await readFile(path)).subarray(start, start + Math.floor((end - start + 1) / 2));
  // Destroy only once the half has reached the socket, so the client really receives it. A stalled
  // response is never ended: the site's close() destroys it with every other connection.
  res.write(bytes, () => {
    onSent?.(bytes.length);
    if (cut === 'drop') res.destroy();
  });
}

/**
 * Count what goes to the client and, given a rate, pace it in slices of a tenth of a second. Each
 * pause lasts until the moment the bytes sent so far are due, so timers firing late do not add up
 * to a slower rate. When the client goes away, pipeline ends the generator at its next yield, so
 * at most one slice's sleep is left over.
 */
function meter(bytesPerSecond = Number.POSITIVE_INFINITY, onSent?: (bytes: number) => void) {
  const slice = Math.max(1, Math.round(bytesPerSecond / 10));
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const started = performance.now();
    let sent = 0;
    for await (const chunk of source) {
      for (let at = 0; at < chunk.length; at += slice) {
        const part = chunk.subarray(at, at + slice);
        yield part;
        sent += part.length;
        onSent?.(part.length);
        const wait = started + (sent / bytesPerSecond) * 1000 - performance.now();
        if (wait > 0) await sleep(wait);
      }
    }
  };
}
