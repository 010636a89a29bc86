/** The values of ytconv's settings as text: each parser returns null for text that does not mean one. */
import { isIP } from 'node:net';
import { z } from 'zod';
import { parseBoolean, parseByteSize, parseDuration } from './units.ts';

export interface Rate {
  readonly max: number;
  readonly windowSec: number;
}

/** A variable parsed by `parse`, which returns null for text that does not mean `expected`. */
export function setting<T>(expected: string, parse: (text: string) => T | null) {
  return z.string().transform((text, ctx) => {
    const value = parse(text);
    if (value === null) ctx.addIssue({ code: 'custom', message: expected });
    return value ?? z.NEVER;
  });
}

export function parseSites(text: string): readonly string[] | '*' | null {
  if (text.trim() === '*') return '*';
  const sites = text.split(',').map((site) => site.trim().toLowerCase());
  return sites.every((site) => /^[a-z0-9][a-z0-9_:.-]*$/.test(site)) ? sites : null;
}

export function parseMaxDuration(text: string): number | null {
  const seconds = parseDuration(text);
  return seconds !== null && seconds > 0 ? seconds : null;
}

export function parseDownloadLimit(text: string): { bytes: number | null } | null {
  if (text.trim().toLowerCase() === 'none') return { bytes: null };
  const bytes = parseByteSize(text);
  return bytes !== null && bytes > 0 ? { bytes } : null;
}

/** The API's base address (a self-hosted mirror may live under a path); yt-dlp adds `/api/skipSegments/…`. */
export function parseSponsorBlockApi(text: string): string | null {
  if (!URL.canParse(text.trim())) return null;
  const url = new URL(text.trim());
  const web = url.protocol === 'http:' || url.protocol === 'https:';
  return web && url.hostname !== '' && url.search === '' && url.hash === '' ? url.href.replace(/\/+$/, '') : null;
}

export function parsePositiveInt(text: string): number | null {
  return /^\d+$/.test(text.trim()) && Number(text) > 0 ? Number(text) : null;
}

export const RATE_EXPECTED = 'a count per duration such as 30/1m or 100/1h, or none';

/** `30/1m` (per minute), `100/1h`, `5/30s`, or `none`; null for anything else. */
export function parseRate(text: string): { rate: Rate | null } | null {
  if (text.trim().toLowerCase() === 'none') return { rate: null };
  const [count = '', window = ''] = text.split('/');
  const max = parsePositiveInt(count);
  const windowSec = parseMaxDuration(window);
  return max !== null && windowSec !== null ? { rate: { max, windowSec } } : null;
}

/** `youtube=10/1m,vimeo=none`: a rate (or none) per site, each a yt-dlp extractor name without `:`; or none. */
export function parsePace(text: string): { pace: Record<string, Rate | null> } | null {
  if (text.trim().toLowerCase() === 'none') return { pace: {} };
  const pace: Record<string, Rate | null> = {};
  for (const item of text.split(',')) {
    const [site = '', rate = ''] = item.split('=').map((part) => part.trim());
    const parsed = parseRate(rate);
    if (!/^[a-z0-9_]+$/.test(site) || parsed === null || site in pace) return null;
    pace[site] = parsed.rate;
  }
  return { pace };
}

/** Off, on (every hop), or the proxies' addresses and CIDR ranges. */
export function parseTrustProxy(text: string): { trust: boolean | string[] } | null {
  const flag = parseBoolean(text);
  if (flag !== null) return { trust: flag };
  const list = text.split(',').map((item) => item.trim());
  return list.every(isAddressOrRange) ? { trust: list } : null;
}

function isAddressOrRange(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

export function parseUrl(protocols: string[]) {
  return (text: string): string | null => {
    try {
      return protocols.includes(new URL(text).protocol) ? text : null;
    } catch {
      return null;
    }
  };
}
