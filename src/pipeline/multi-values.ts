/**
 * Several values of one tag (the artists), as each format holds them. ffmpeg 5.1 writes one value
 * per key (its FFMETADATA reader and `-metadata` overwrite a repeated key) and reads back only the
 * first of ID3v2.4's, so it cannot write them. Instead the encode writes the values joined by a
 * placeholder exactly as long as the format's own way of separating them, and `splitMultiValues`
 * then turns the placeholder into that separation in place: no byte moves, the audio is not
 * written again.
 * - MP3 (ID3v2.4): the values of one text frame are separated by a NUL: a 1-byte placeholder.
 * - FLAC, Ogg, Opus (Vorbis comments): one `artist=` field per value: the placeholder takes the
 *   place of the next field's 4-byte length and its `artist=`; the field count grows, and Ogg's
 *   page checksums are made again.
 * - M4A and WAV hold one value per tag (iTunes' `©ART`, RIFF's `IART`): joined with ", ".
 */
import { open } from 'node:fs/promises';
import type { AudioFormat } from './types.ts';

const MARK = '\x1f';
/** The Vorbis comment key ffmpeg writes the artists under (it writes keys as given). */
const VORBIS_KEY = 'artist=';
const VORBIS_SEPARATOR = MARK.repeat(4 + VORBIS_KEY.length);

const SEPARATORS: Readonly<Record<AudioFormat, string | null>> = {
  mp3: MARK,
  flac: VORBIS_SEPARATOR,
  ogg: VORBIS_SEPARATOR,
  opus: VORBIS_SEPARATOR,
  m4a: null,
  wav: null,
};

/** Several artists as one value, where only one fits (an album artist, a format with one value per tag). */
export function joinArtists(artists: readonly string[]): string | null {
  return artists.length > 0 ? artists.join(', ') : null;
}

/** The artists as the one value the encode writes; undefined for none. */
export function multiValue(format: AudioFormat, values: readonly string[]): string | undefined {
  // Control characters have no business in a name; without them, a placeholder is never a name's.
  const clean = values.map((v) => v.replaceAll(MARK, '')).filter((v) => v !== '');
  const separator = SEPARATORS[format];
  if (separator === null) return joinArtists(clean) ?? undefined;
  return clean.length > 0 ? clean.join(separator) : undefined;
}

/** Turn an encoded file's placeholders into several values (see above); a no-op for one value. */
export async function splitMultiValues(path: string, format: AudioFormat): Promise<void> {
  if (SEPARATORS[format] === null) return;
  const file = await open(path, 'r+');
  try {
    const head = await readHead(file);
    const end = format === 'mp3' ? splitId3(head) : format === 'flac' ? splitFlac(head) : splitOgg(head);
    if (end !== null) await file.write(head, 0, end, 0);
  } finally {
    await file.close();
  }
}

/** The tags are at the start: within the first megabytes, whatever the cover's size. */
const HEAD_BYTES = 4 << 20;

async function readHead(file: Awaited<ReturnType<typeof open>>): Promise<Buffer> {
  const buf = Buffer.alloc(HEAD_BYTES);
  const { bytesRead } = await file.read(buf, 0, HEAD_BYTES, 0);
  return buf.subarray(0, bytesRead);
}

/**
 * Each split below changes bytes of `head` in place and returns where its changes end (what to write
 * back), or null when nothing changed.
 */

/** ID3v2.4's artist frame (TPE1): each placeholder becomes the NUL between two values. */
function splitId3(head: Buffer): number | null {
  if (head.toString('latin1', 0, 3) !== 'ID3' || head[3] !== 4) return null;
  const end = 10 + syncsafe(head, 6);
  for (let pos = 10; pos + 10 <= end && head[pos] !== 0; ) {
    const size = syncsafe(head, pos + 4);
    if (head.toString('latin1', pos, pos + 4) === 'TPE1') {
      const frame = head.subarray(pos + 10, pos + 10 + size);
      const marks = [...frame.keys()].filter((i) => frame[i] === MARK.charCodeAt(0));
      for (const i of marks) frame[i] = 0;
      return marks.length > 0 ? pos + 10 + size : null;
    }
    pos += 10 + size;
  }
  return null;
}

function syncsafe(buf: Buffer, at: number): number {
  return ((buf[at] ?? 0) << 21) | ((buf[at + 1] ?? 0) << 14) | ((buf[at + 2] ?? 0) << 7) | (buf[at + 3] ?? 0);
}

/** FLAC's VORBIS_COMMENT metadata block (type 4), found among the blocks after `fLaC`. */
function splitFlac(head: Buffer): number | null {
  if (head.toString('latin1', 0, 4) !== 'fLaC') return null;
  for (let pos = 4; pos + 4 <= head.length; ) {
    const header = head[pos] ?? 0;
    const end = pos + 4 + head.readUIntBE(pos + 1, 3);
    if ((header & 0x7f) === 4) return splitVorbisFields(head.subarray(pos + 4, end), 0) ? end : null;
    if (header & 0x80) return null;
    pos = end;
  }
  return null;
}

/**
 * Split the `artist=` fields of a Vorbis comment list (vendor string, field count, fields) that
 * starts at `start`; the list keeps its length. Returns whether anything changed.
 */
function splitVorbisFields(list: Buffer, start: number): boolean {
  let pos = start + 4 + list.readUInt32LE(start);
  const countAt = pos;
  const count = list.readUInt32LE(countAt);
  let added = 0;
  pos += 4;
  for (let i = 0; i < count; i++) {
    const length = list.readUInt32LE(pos);
    const field = list.subarray(pos + 4, pos + 4 + length);
    if (field.toString('latin1', 0, VORBIS_KEY.length).toLowerCase() === VORBIS_KEY) {
      const values = field.subarray(VORBIS_KEY.length).toString('latin1').split(VORBIS_SEPARATOR);
      const rebuilt = Buffer.concat(values.map((v) => vorbisField(field.subarray(0, VORBIS_KEY.length), v)));
      rebuilt.copy(list, pos);
      added += values.length - 1;
    }
    pos += 4 + length;
  }
  list.writeUInt32LE(count + added, countAt);
  return added > 0;
}

/** One length-prefixed `key=value` field; latin1 both ways keeps UTF-8 bytes as they are. */
function vorbisField(key: Buffer, value: string): Buffer {
  const bytes = Buffer.concat([key, Buffer.from(value, 'latin1')]);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** Ogg: the comment header is the stream's second packet, over one or more pages. */
function splitOgg(head: Buffer): number | null {
  const packet = secondPacket(head, oggPages(head));
  if (packet === null) return null;
  const bytes = Buffer.concat(packet.map((p) => head.subarray(p.from, p.to)));
  // "OpusTags" or "\x03vorbis" before the list.
  const start = bytes.toString('latin1', 0, 8) === 'OpusTags' ? 8 : 7;
  if (!splitVorbisFields(bytes, start)) return null;
  let at = 0;
  for (const part of packet) {
    at += bytes.copy(head, part.from, at, at + (part.to - part.from));
  }
  return Math.max(...[...new Set(packet.map((p) => p.page))].map((page) => setOggChecksum(head, page)));
}

interface OggPage {
  start: number;
  /** Where the body starts, and its segments' lengths. */
  body: number;
  segments: number[];
}

function oggPages(head: Buffer): OggPage[] {
  const pages: OggPage[] = [];
  for (let pos = 0; head.toString('latin1', pos, pos + 4) === 'OggS' && pos + 27 <= head.length; ) {
    const count = head[pos + 26] ?? 0;
    const segments = [...head.subarray(pos + 27, pos + 27 + count)];
    const body = pos + 27 + count;
    pages.push({ start: pos, body, segments });
    pos = body + segments.reduce((a, b) => a + b, 0);
  }
  return pages;
}

/** The byte ranges of the second packet (a packet ends with a segment shorter than 255). */
function secondPacket(head: Buffer, pages: OggPage[]): { page: number; from: number; to: number }[] | null {
  let packet = 0;
  const parts: { page: number; from: number; to: number }[] = [];
  for (const page of pages) {
    let pos = page.body;
    for (const length of page.segments) {
      if (packet === 1) parts.push({ page: page.start, from: pos, to: pos + length });
      pos += length;
      if (length < 255) {
        if (packet === 1) return parts.length > 0 && pos <= head.length ? mergeParts(parts) : null;
        packet++;
      }
    }
  }
  return null;
}

function mergeParts(parts: { page: number; from: number; to: number }[]) {
  const merged: typeof parts = [];
  for (const p of parts) {
    const last = merged.at(-1);
    if (last && last.page === p.page && last.to === p.from) last.to = p.to;
    else merged.push({ ...p });
  }
  return merged;
}

/** Returns where the page ends. */
function setOggChecksum(head: Buffer, start: number): number {
  const count = head[start + 26] ?? 0;
  const end = start + 27 + count + head.subarray(start + 27, start + 27 + count).reduce((a, b) => a + b, 0);
  head.writeUInt32LE(0, start + 22);
  head.writeUInt32LE(oggCrc(head.subarray(start, end)), start + 22);
  return end;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, i) => {
  let r = i << 24;
  for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

/** Ogg's CRC-32: polynomial 0x04c11db7, not reflected, starting from 0. */
function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ b) & 0xff] ?? 0)) >>> 0;
  return crc;
}
