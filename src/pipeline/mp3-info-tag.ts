/**
 * The Xing/Info frame and its LAME extension: the first frame of a gapless MP3. It carries the
 * count of the frames after it, the byte count, a seek table (TOC), and the encoder delay and
 * padding that decoders (ffmpeg's mp3 demuxer, mpg123, foobar2000, iTunes) trim so that the
 * decoded length is exactly the source's. Layout: gabriel.mp3-tech.org/mp3infotag.html. Pure.
 */
import { parseFrameHeader } from './mp3-frames.ts';

const FLAG = { frames: 1, bytes: 2, toc: 4, quality: 8 } as const;
const TOC_SIZE = 100;
/** Offsets inside the LAME extension, counted from its 9-character encoder name. */
const LAME = { delayPadding: 21, musicLength: 28, musicCrc: 32, tagCrc: 34, end: 36 } as const;

export interface InfoTag {
  /** `Xing` (VBR) rather than `Info` (CBR). */
  vbr: boolean;
  /** Audio frames after this one. */
  frames: number;
  /** Bytes of this frame and every audio frame. */
  bytes: number;
  /** Samples of encoder delay at the start and of padding at the end, both to be trimmed. */
  encoderDelay: number;
  padding: number;
}

export interface InfoTotals extends Omit<InfoTag, 'vbr'> {
  toc: Uint8Array;
  /** CRC-16 of all the audio frames. */
  musicCrc: number;
}

interface Layout {
  vbr: boolean;
  frames: number;
  toc: number;
  lame: number;
}

/**
 * Where the fields are, or null when the frame has no Xing/Info tag with frames, bytes, TOC and a
 * LAME extension (ffmpeg's mp3 muxer always writes all of them when its output is a file).
 */
function layout(frame: Buffer): Layout | null {
  const at = parseFrameHeader(frame)?.sideInfoEnd;
  if (at === undefined || at + 8 > frame.length) return null;
  const id = frame.toString('latin1', at, at + 4);
  const flags = frame.readUInt32BE(at + 4);
  const needed = FLAG.frames | FLAG.bytes | FLAG.toc;
  if ((id !== 'Xing' && id !== 'Info') || (flags & needed) !== needed) return null;
  const lame = at + 16 + TOC_SIZE + (flags & FLAG.quality ? 4 : 0);
  if (lame + LAME.end > frame.length) return null;
  if (!/^(LAME|Lavc|Lavf)/.test(frame.toString('latin1', lame, lame + 4))) return null;
  return { vbr: id === 'Xing', frames: at + 8, toc: at + 16, lame };
}

export function readInfoTag(frame: Buffer): InfoTag | null {
  const at = layout(frame);
  if (!at) return null;
  const delayPadding = frame.readUIntBE(at.lame + LAME.delayPadding, 3);
  return {
    vbr: at.vbr,
    frames: frame.readUInt32BE(at.frames),
    bytes: frame.readUInt32BE(at.frames + 4),
    encoderDelay: delayPadding >> 12,
    padding: delayPadding & 0xfff,
  };
}

/**
 * `template` (an Info frame the encoder wrote, so its encoder name, VBR method and lowpass stay
 * true) with the totals of another stream of frames, and both CRCs made again.
 */
export function writeInfoTag(template: Buffer, totals: InfoTotals): Buffer {
  const at = layout(template);
  if (!at) throw new Error('the template frame has no Xing/Info tag with a LAME extension');
  if (totals.encoderDelay > 0xfff || totals.padding > 0xfff || totals.toc.length !== TOC_SIZE) {
    throw new Error('encoder delay, padding or TOC out of range for a LAME tag');
  }
  const frame = Buffer.from(template);
  frame.writeUInt32BE(totals.frames, at.frames);
  frame.writeUInt32BE(totals.bytes, at.frames + 4);
  frame.set(totals.toc, at.toc);
  frame.writeUIntBE((totals.encoderDelay << 12) | totals.padding, at.lame + LAME.delayPadding, 3);
  frame.writeUInt32BE(totals.bytes, at.lame + LAME.musicLength);
  frame.writeUInt16BE(totals.musicCrc, at.lame + LAME.musicCrc);
  frame.writeUInt16BE(crc16(frame.subarray(0, at.lame + LAME.tagCrc)), at.lame + LAME.tagCrc);
  return frame;
}

/**
 * The seek table: entry i is where the frame at i % of the duration starts, as 1/256ths of the
 * byte count. `infoLength` is the Info frame's own length, which comes first.
 */
export function seekTable(infoLength: number, frameLengths: ArrayLike<number>): Uint8Array {
  const count = frameLengths.length;
  let total = infoLength;
  for (let i = 0; i < count; i++) total += frameLengths[i] ?? 0;
  const toc = new Uint8Array(TOC_SIZE);
  // A running sum, not an array of every frame's start: an hour has 150,000 frames.
  let start = infoLength;
  let frame = 0;
  for (let i = 0; i < TOC_SIZE; i++) {
    for (const target = Math.floor((i * count) / TOC_SIZE); frame < target; frame++) start += frameLengths[frame] ?? 0;
    toc[i] = Math.min(255, Math.floor((256 * start) / total));
  }
  return toc;
}

/** CRC-16/ARC (polynomial 0x8005, reflected), the CRC of the LAME tag; pass `crc` to continue one. */
export function crc16(bytes: Uint8Array, crc = 0): number {
  let value = crc;
  // An index, not for…of: the iterator's garbage over an hour's MP3 (86 MB) grew the worker's young
  // heap by about 60 MB.
  for (let i = 0; i < bytes.length; i++) value = (value >>> 8) ^ (CRC_TABLE[(value ^ (bytes[i] ?? 0)) & 0xff] ?? 0);
  return value;
}

const CRC_TABLE = Uint16Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  return c;
});
