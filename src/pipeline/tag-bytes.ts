/**
 * Changing an encoded file's tags in place, byte for byte: what ffmpeg 5.1 cannot write (several
 * values of one tag, values known only after the encode) is written by the encode as a placeholder
 * of the right length and rewritten here. Nothing moves, so the audio is not written again and a
 * size already recorded stays true. This module finds the tags in each container: ID3v2.4 frames
 * (MP3), the Vorbis comment list (FLAC's metadata block, the second packet of an Ogg stream, whose
 * page checksums are made again) and MP4's `ilst` items (M4A, whose index ffmpeg put first).
 */
import { open } from 'node:fs/promises';
import type { AudioFormat } from './types.ts';

type FileHandle = Awaited<ReturnType<typeof open>>;

/**
 * Let `edit` change bytes of the file's head (where its tags are) and return where its changes end,
 * or null for no change; that much is written back.
 */
export async function editHead(path: string, format: AudioFormat, edit: (head: Buffer) => number | null) {
  const file = await open(path, 'r+');
  try {
    const head = await readHead(file, format);
    const end = edit(head);
    if (end !== null) await file.write(head, 0, end, 0);
  } finally {
    await file.close();
  }
}

/** The tags are at the start: within the first megabytes, whatever the cover's size. */
const HEAD_BYTES = 4 << 20;

/** An M4A's index (`moov`, holding the tags) grows with its length: read all of it. */
async function readHead(file: FileHandle, format: AudioFormat): Promise<Buffer> {
  const length = format === 'm4a' ? ((await moovEnd(file)) ?? HEAD_BYTES) : HEAD_BYTES;
  const buf = Buffer.alloc(length);
  const { bytesRead } = await file.read(buf, 0, length, 0);
  return buf.subarray(0, bytesRead);
}

async function moovEnd(file: FileHandle): Promise<number | null> {
  const header = Buffer.alloc(8);
  for (let pos = 0; ; ) {
    const { bytesRead } = await file.read(header, 0, 8, pos);
    const size = header.readUInt32BE(0);
    if (bytesRead < 8 || size < 8) return null;
    if (header.toString('latin1', 4, 8) === 'moov') return pos + size;
    pos += size;
  }
}

// ─── ID3v2.4 (MP3) ────────────────────────────────────────────────────────────────────────────

export interface Id3Frame {
  id: string;
  /** Where its contents start, and how many bytes they are. */
  at: number;
  size: number;
}

/** The frames of the ID3v2.4 tag at the start of `head` (none when there is no such tag). */
export function id3Frames(head: Buffer): Id3Frame[] {
  if (head.toString('latin1', 0, 3) !== 'ID3' || head[3] !== 4) return [];
  const end = Math.min(head.length, 10 + syncsafe(head, 6));
  const frames: Id3Frame[] = [];
  for (let pos = 10; pos + 10 <= end && head[pos] !== 0; ) {
    const size = syncsafe(head, pos + 4);
    frames.push({ id: head.toString('latin1', pos, pos + 4), at: pos + 10, size });
    pos += 10 + size;
  }
  return frames;
}

function syncsafe(buf: Buffer, at: number): number {
  return ((buf[at] ?? 0) << 21) | ((buf[at + 1] ?? 0) << 14) | ((buf[at + 2] ?? 0) << 7) | (buf[at + 3] ?? 0);
}

// ─── Vorbis comments (FLAC, Ogg Vorbis, Opus) ────────────────────────────────────────────────

/** One `key=value` field of a Vorbis comment list: where its bytes start (after their length), and how many. */
export interface VorbisField {
  at: number;
  length: number;
}

/** The fields of the comment list (vendor string, field count, fields) that starts at `start`. */
export function vorbisFields(list: Buffer, start: number): { countAt: number; fields: VorbisField[] } {
  let pos = start + 4 + list.readUInt32LE(start);
  const countAt = pos;
  const fields: VorbisField[] = [];
  pos += 4;
  for (let i = list.readUInt32LE(countAt); i > 0; i--) {
    const length = list.readUInt32LE(pos);
    fields.push({ at: pos + 4, length });
    pos += 4 + length;
  }
  return { countAt, fields };
}

/**
 * Let `edit` change the Vorbis comment list in `head` (FLAC, Ogg, Opus) in place, keeping its
 * length; it gets the list's bytes and where the list starts, and says whether it changed them.
 * Returns where the changed bytes end in `head`, or null.
 */
export function editVorbisComments(
  head: Buffer,
  format: AudioFormat,
  edit: (list: Buffer, start: number) => boolean,
): number | null {
  if (format === 'flac') return editFlac(head, edit);
  if (format === 'ogg' || format === 'opus') return editOgg(head, edit);
  return null;
}

/** FLAC's VORBIS_COMMENT metadata block (type 4), found among the blocks after `fLaC`. */
function editFlac(head: Buffer, edit: (list: Buffer, start: number) => boolean): number | null {
  if (head.toString('latin1', 0, 4) !== 'fLaC') return null;
  for (let pos = 4; pos + 4 <= head.length; ) {
    const header = head[pos] ?? 0;
    const end = pos + 4 + head.readUIntBE(pos + 1, 3);
    if ((header & 0x7f) === 4) return edit(head.subarray(pos + 4, end), 0) ? end : null;
    if (header & 0x80) return null;
    pos = end;
  }
  return null;
}

/** Ogg: the comment header is the stream's second packet, over one or more pages. */
function editOgg(head: Buffer, edit: (list: Buffer, start: number) => boolean): number | null {
  const packet = secondPacket(head, oggPages(head));
  if (packet === null) return null;
  const bytes = Buffer.concat(packet.map((p) => head.subarray(p.from, p.to)));
  // "OpusTags" or "\x03vorbis" before the list.
  const start = bytes.toString('latin1', 0, 8) === 'OpusTags' ? 8 : 7;
  if (!edit(bytes, start)) return null;
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

type PacketPart = { page: number; from: number; to: number };

/** The byte ranges of the second packet (a packet ends with a segment shorter than 255). */
function secondPacket(head: Buffer, pages: OggPage[]): PacketPart[] | null {
  let packet = 0;
  const parts: PacketPart[] = [];
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

function mergeParts(parts: PacketPart[]): PacketPart[] {
  const merged: PacketPart[] = [];
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

// ─── MP4 (M4A) ────────────────────────────────────────────────────────────────────────────────

export interface Mp4Atom {
  type: string;
  /** Where the atom starts (its size field), and its whole size. */
  at: number;
  size: number;
}

/** The atoms inside `parent` (or the top-level ones), from `from` bytes into its body. */
export function mp4Children(buf: Buffer, parent: Mp4Atom | null, from = 8): Mp4Atom[] {
  const start = parent ? parent.at + from : 0;
  const end = parent ? parent.at + parent.size : buf.length;
  const atoms: Mp4Atom[] = [];
  for (let pos = start; pos + 8 <= end; ) {
    const size = buf.readUInt32BE(pos);
    if (size < 8 || pos + size > end) break;
    atoms.push({ type: buf.toString('latin1', pos + 4, pos + 8), at: pos, size });
    pos += size;
  }
  return atoms;
}

/** The `ilst` atom (iTunes' tag items): moov › udta › meta (a full box: 4 bytes more) › ilst. */
export function mp4Ilst(head: Buffer): Mp4Atom | null {
  const child = (parent: Mp4Atom | undefined, type: string, from = 8) =>
    parent === undefined ? undefined : mp4Children(head, parent, from).find((a) => a.type === type);
  const moov = mp4Children(head, null).find((a) => a.type === 'moov');
  return child(child(child(moov, 'udta'), 'meta'), 'ilst', 12) ?? null;
}
