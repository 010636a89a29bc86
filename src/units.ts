/**
 * Parsers for the quantities people type into settings and forms: durations, timestamps, byte
 * sizes, yes/no. Each returns null for text it does not understand, so the caller can say which
 * setting or field was wrong and what it expects.
 */

// Powers of 1024, as parseByteSize reads them; defined among the page's modules, which load it too.
export { formatBytes } from './web/public/bytes.js';

const TIMESTAMP = /^(?:(?:(\d+):)?(\d+):)?(\d+(?:\.\d+)?)$/;
const UNIT_DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/i;
const BYTE_SIZE = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?$/i;
const BYTE_UNITS = { k: 1, m: 2, g: 3, t: 4 } as const;
const BOOLEANS = new Map([
  ...['1', 'true', 'yes', 'on'].map((word) => [word, true] as const),
  ...['0', 'false', 'no', 'off'].map((word) => [word, false] as const),
]);

/**
 * A position in a media file in seconds: `SS`, `SS.s`, `M:SS` or `H:MM:SS(.s)`. Once there is a
 * colon, the parts after the first are two digits below 60, as players show them.
 */
export function parseTimestamp(text: string): number | null {
  const match = TIMESTAMP.exec(text.trim());
  if (!match) return null;
  const [, hours, minutes, seconds = ''] = match;
  if (minutes !== undefined && !/^[0-5]\d(?:\.\d+)?$/.test(seconds)) return null;
  if (hours !== undefined && !/^[0-5]\d$/.test(minutes ?? '')) return null;
  return Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds);
}

/** A length of time in seconds: `5400`, `90m`, `3h`, `1h30m`, `45s`, or `H:MM:SS`. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  const units = UNIT_DURATION.exec(trimmed);
  if (units && trimmed !== '') {
    const [, hours = 0, minutes = 0, seconds = 0] = units;
    return Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds);
  }
  return parseTimestamp(trimmed);
}

/** A size in bytes: `1048576`, `500K`, `500M`, `2G`, `1.5GB`, `2GiB`; K, M, G, T are powers of 1024. */
export function parseByteSize(text: string): number | null {
  const match = BYTE_SIZE.exec(text.trim());
  if (!match) return null;
  const [, amount = '', unit] = match;
  const power = unit ? BYTE_UNITS[unit.toLowerCase() as keyof typeof BYTE_UNITS] : 0;
  return Math.round(Number(amount) * 1024 ** power);
}

/** `1/0`, `true/false`, `yes/no`, `on/off`, in any case. */
export function parseBoolean(text: string): boolean | null {
  return BOOLEANS.get(text.trim().toLowerCase()) ?? null;
}

/** A position or a length in audio, as players show it: `3:07` or `1:02:03`. */
export function formatClock(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** A length of time for people: `45 s`, `30 min`, `3 h`, `15 h 10 min`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds % 3600) / 60);
  if (hours === 0) return `${minutes} min`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/** A limit as people read it: `30 new jobs per 1 min`, or `no limit`. */
export function formatRate(rate: { max: number; windowSec: number } | null): string {
  return rate === null ? 'no limit' : `${rate.max} new jobs per ${formatDuration(rate.windowSec)}`;
}
