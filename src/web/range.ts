/**
 * The parts of HTTP conditional and range requests (RFC 9110 §13, §14) that downloads need: one
 * byte range (enough for resuming and seeking; multipart/byteranges is rarely used and may be
 * ignored), If-Range so a resumed download never mixes two versions, and validators for 304s.
 */

export interface ByteRange {
  start: number;
  /** Inclusive, as in HTTP. */
  end: number;
}

/**
 * The range a `Range` header asks for within `size` bytes: null to send the whole file (no
 * header, or one RFC 9110 lets us ignore: another unit, several ranges, bad syntax), or
 * 'unsatisfiable' for a 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return null;
  const first = match[1] === '' ? null : Number(match[1]);
  const last = match[2] === '' ? null : Number(match[2]);
  if (first === null) {
    // A suffix range: the last N bytes.
    if (last === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - (last ?? 0)), end: size - 1 };
  }
  if (last !== null && last < first) return null;
  if (first >= size) return 'unsatisfiable';
  return { start: first, end: Math.min(last ?? size - 1, size - 1) };
}

export interface Validators {
  etag: string;
  lastModified: Date;
}

/** A strong ETag from size and modification time: our files never change once written. */
export function validatorsOf(stat: { size: number; mtimeMs: number }): Validators {
  const mtime = Math.floor(stat.mtimeMs);
  return { etag: `"${stat.size.toString(16)}-${mtime.toString(16)}"`, lastModified: new Date(mtime) };
}

/** Whether a Range may be honoured: `If-Range` absent or naming the current version (strongly). */
export function ifRangeHolds(ifRange: string | undefined, current: Validators): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"')) return value === current.etag;
  if (value.startsWith('W/')) return false;
  return value === current.lastModified.toUTCString();
}

/** Whether `If-None-Match` names the current version (weak comparison), so a 304 will do. */
export function notModified(ifNoneMatch: string | undefined, current: Validators): boolean {
  if (ifNoneMatch === undefined) return false;
  const tags = ifNoneMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  return tags.includes('*') || tags.includes(current.etag);
}
