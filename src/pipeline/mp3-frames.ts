/**
 * MPEG audio Layer III frames read from bytes: what a frame header says (its length in bytes, the
 * samples it carries, where its side information ends) and how a run of bytes cuts into frames.
 * Pure; the segment splicer keeps or drops whole frames by index.
 */

/** kbps by bitrate index: MPEG-1, then MPEG-2 and 2.5 (index 0 is "free format", 15 is invalid). */
const BITRATES_KBPS = {
  mpeg1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  mpeg2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
} as const;

/** Hz by sample-rate index, for each value of the header's two version bits (1 is reserved). */
const SAMPLE_RATES: Record<number, readonly number[]> = {
  3: [44100, 48000, 32000], // MPEG-1
  2: [22050, 24000, 16000], // MPEG-2
  0: [11025, 12000, 8000], // MPEG-2.5
};

export interface FrameHeader {
  sampleRate: number;
  bitrateKbps: number;
  /** 1152 for MPEG-1, 576 for MPEG-2 and 2.5. */
  samplesPerFrame: number;
  /** The whole frame, header included, in bytes. */
  length: number;
  /** Where the side information ends: a Xing/Info tag starts here in the first frame. */
  sideInfoEnd: number;
}

/**
 * The length in bytes of the Layer III frame whose header is at `at`, or 0 where there is none.
 * No object made: a splice calls it for every frame of an hour (150,000), and garbage at that rate
 * made V8 grow its young generation by megabytes.
 */
export function frameLength(bytes: Uint8Array, at = 0): number {
  if (at + 4 > bytes.length) return 0;
  const b1 = bytes[at + 1] ?? 0;
  const b2 = bytes[at + 2] ?? 0;
  const version = (b1 >> 3) & 3;
  const mpeg1 = version === 3;
  const sampleRate = SAMPLE_RATES[version]?.[(b2 >> 2) & 3];
  const bitrateKbps = (mpeg1 ? BITRATES_KBPS.mpeg1 : BITRATES_KBPS.mpeg2)[b2 >> 4];
  const layer3 = ((b1 >> 1) & 3) === 1;
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0 || !layer3 || !sampleRate || !bitrateKbps) return 0;
  const samplesPerFrame = mpeg1 ? 1152 : 576;
  return Math.floor(((samplesPerFrame / 8) * bitrateKbps * 1000) / sampleRate) + ((b2 >> 1) & 1);
}

/** The Layer III frame header at `at`, or null when the bytes there are not one. */
export function parseFrameHeader(bytes: Uint8Array, at = 0): FrameHeader | null {
  const length = frameLength(bytes, at);
  if (length === 0) return null;
  const b1 = bytes[at + 1] ?? 0;
  const b2 = bytes[at + 2] ?? 0;
  const version = (b1 >> 3) & 3;
  const mpeg1 = version === 3;
  const mono = (bytes[at + 3] ?? 0) >> 6 === 3;
  const crc = (b1 & 1) === 0 ? 2 : 0;
  const sideInfo = mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17;
  return {
    sampleRate: SAMPLE_RATES[version]?.[(b2 >> 2) & 3] ?? 0,
    bitrateKbps: (mpeg1 ? BITRATES_KBPS.mpeg1 : BITRATES_KBPS.mpeg2)[b2 >> 4] ?? 0,
    samplesPerFrame: mpeg1 ? 1152 : 576,
    length,
    sideInfoEnd: 4 + crc + sideInfo,
  };
}

/**
 * Cut `bytes` into whole frames; what is left after the last whole frame (the start of the next
 * one, when reading in chunks) is `rest`. Throws where the bytes are not a frame: our encoder's
 * output never loses sync, so that is damage, not something to resynchronise past.
 */
export function splitFrames(bytes: Buffer): { frames: Buffer[]; rest: Buffer } {
  const frames: Buffer[] = [];
  let at = 0;
  for (const length of frameLengths(bytes)) {
    frames.push(bytes.subarray(at, at + length));
    at += length;
  }
  return { frames, rest: bytes.subarray(at) };
}

/** The lengths of the whole frames `bytes` start with, as splitFrames cuts them: no view per frame. */
export function frameLengths(bytes: Uint8Array): number[] {
  const lengths: number[] = [];
  let at = 0;
  while (at + 4 <= bytes.length) {
    const length = frameLength(bytes, at);
    if (length === 0) throw new Error(`no MP3 frame header at byte ${at}`);
    if (at + length > bytes.length) break;
    lengths.push(length);
    at += length;
  }
  return lengths;
}

/** An ID3v2 tag's header, then (when its flags say so) its footer: 10 bytes each. */
const ID3_HEADER = 10;

/**
 * The length of the ID3v2 tag `bytes` start with, header and footer included; 0 when they start
 * with none. The first 10 bytes tell it (the size is "syncsafe": 7 bits a byte).
 */
export function id3v2Length(bytes: Uint8Array): number {
  if (bytes.length < ID3_HEADER || bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return 0;
  const size = [6, 7, 8, 9].reduce((sum, i) => sum * 128 + ((bytes[i] ?? 0) & 0x7f), 0);
  const footer = (bytes[5] ?? 0) & 0x10 ? ID3_HEADER : 0;
  return ID3_HEADER + size + footer;
}
