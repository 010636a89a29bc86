/**
 * Where to start decoding an Opus-in-WebM download near a cut, instead of at its first byte: a
 * split encode's later segments (split-encode.ts) are fed the file's header and then the clusters
 * from one at least SETTLE_SAMPLES before their cut, so that none decodes all the media before
 * it. Every Opus packet decodes on its own once the decoder has settled: the samples from the cut
 * on are then the ones a decode from the start makes (measured: the same samples, bit for bit,
 * half a second into a tone and into noise).
 *
 * Which source sample a decode from a cluster starts at: ffmpeg drops the stream's pre-skip at the
 * start of any decode, and a decode from the start drops it too, so the first sample is the first
 * sample of the cluster's first packet, counted from the stream's first packet. The packets are
 * counted, not the timestamps trusted: every block's TOC byte says how many samples it decodes
 * to, so a gap in the timestamps (a live stream's) or packets of several lengths change nothing.
 *
 * The file is a stranger's: no size in it is believed beyond what the caps here allow, and
 * anything unexpected (another codec, laced or encoded blocks, sizes left unknown as a live stream
 * writes them, a cluster over MAX_CLUSTER, a read that fails) ends the seeking there: the segments
 * after it decode from the last cluster found before, or from the start, as before. A download
 * that failed or restarted is told by the encoders reading it, not here.
 */
import type { SpoolReader } from './spool.ts';

export type Reader = Pick<SpoolReader, 'read'>;

/** Decoded at this rate whatever the source was (RFC 7845). */
export const OPUS_RATE = 48_000;
/** How far before its cut a segment's decode starts: twice what the decoder took to settle. */
const SETTLE_SAMPLES = OPUS_RATE;
/** Seek points kept at most this often: an index of an hour holds a few thousand. */
const SPACING_SAMPLES = OPUS_RATE;
/** Larger than any cluster of an audio stream (YouTube's hold seconds: tens of kB). */
const MAX_CLUSTER = 4 << 20;
/** The head (header, info, tracks) read whole for its few elements; no file has a larger one. */
const MAX_HEAD_ELEMENT = 64 << 10;
/** Elements before the first cluster, and clusters walked in all: a bound on a hostile file's walk. */
const MAX_HEAD_ELEMENTS = 64;
const MAX_CLUSTERS = 200_000;

const ID = {
  ebml: 0x1a45dfa3,
  segment: 0x18538067,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  codecId: 0x86,
  contentEncodings: 0x6d80,
  cluster: 0x1f43b675,
  simpleBlock: 0xa3,
  blockGroup: 0xa0,
  block: 0xa1,
} as const;

/** Where a decode fed from a cluster on starts. */
export interface ClusterStart {
  /** The cluster's first byte: bytes [headerEnd, offset) are left out. */
  offset: number;
  /** The source sample (counted as a decode from the start counts) the decode's first sample is. */
  firstSample: number;
}

interface Element {
  id: number;
  /** Null: unknown (all ones), as a live stream writes it. */
  size: number | null;
  /** Where its data starts. */
  data: number;
}

/** Where the first cluster of an Opus-in-WebM file with one track starts; null for anything else. */
export function opusWebmHeaderEnd(reader: Reader): Promise<number | null> {
  return headerEnd(reader).catch(() => null);
}

async function headerEnd(reader: Reader): Promise<number | null> {
  const small = Buffer.alloc(12);
  const ebml = await elementAt(reader, small, 0);
  if (ebml?.id !== ID.ebml || ebml.size === null) return null;
  const segment = await elementAt(reader, small, ebml.data + ebml.size);
  if (segment?.id !== ID.segment) return null;
  let opus = false;
  let at = segment.data;
  for (let n = 0; n < MAX_HEAD_ELEMENTS; n++) {
    const child = await elementAt(reader, small, at);
    if (!child || child.size === null) return null;
    if (child.id === ID.cluster) return opus ? at : null;
    if (child.id === ID.tracks) opus = await onlyPlainOpusTrack(reader, child);
    at = child.data + child.size;
  }
  return null;
}

/**
 * The clusters of one file, found by reading it cluster by cluster as it arrives, counting the
 * samples of their packets, and remembered for every segment that asks.
 */
export class ClusterIndex {
  readonly headerEnd: number;
  readonly #reader: Reader;
  readonly #found: ClusterStart[] = [];
  /** The next element to read, and the samples before it; null once the walk has stopped. */
  #next: number | null;
  #samples = 0;
  #walked = 0;
  #buffer = Buffer.alloc(64 << 10);
  /** One walk at a time: a later question continues where an earlier one stopped. */
  #walking: Promise<unknown> = Promise.resolve();

  constructor(reader: Reader, headerEnd: number) {
    this.#reader = reader;
    this.headerEnd = headerEnd;
    this.#next = headerEnd;
  }

  /**
   * The last cluster at least SETTLE_SAMPLES before source sample `cut`, once the file holds the
   * cluster after it (or has ended); null where none is (too near the start): decode from the
   * start then.
   */
  async before(cut: number): Promise<ClusterStart | null> {
    const limit = cut - SETTLE_SAMPLES;
    const walk = this.#walking.then(() =>
      this.#walkPast(limit).catch(() => {
        this.#next = null;
      }),
    );
    this.#walking = walk;
    await walk;
    return this.#found.findLast((c) => c.firstSample <= limit && c.firstSample > 0) ?? null;
  }

  async #walkPast(limit: number): Promise<void> {
    while (this.#next !== null && this.#samples <= limit) {
      const at = this.#next;
      const element = await elementAt(this.#reader, this.#buffer, at);
      this.#next = null;
      // The file's end, a size left unknown, or a hostile one: the walk stops here.
      if (!element || element.size === null || this.#walked++ >= MAX_CLUSTERS) return;
      if (element.id === ID.cluster) {
        const samples = await this.#clusterSamples(element);
        if (samples === null) return;
        const last = this.#found.at(-1)?.firstSample ?? -SPACING_SAMPLES;
        if (this.#samples - last >= SPACING_SAMPLES) this.#found.push({ offset: at, firstSample: this.#samples });
        this.#samples += samples;
      }
      // Cues, tags or void between clusters are stepped over.
      this.#next = element.data + element.size;
    }
  }

  /** The samples a cluster's blocks decode to; null where one cannot be counted. */
  async #clusterSamples(cluster: Element): Promise<number | null> {
    const size = cluster.size ?? Number.POSITIVE_INFINITY;
    if (size > MAX_CLUSTER) return null;
    if (this.#buffer.length < size) this.#buffer = Buffer.alloc(Math.min(MAX_CLUSTER, size * 2));
    const bytes = this.#buffer.subarray(0, await this.#reader.read(this.#buffer, cluster.data, size));
    if (bytes.length < size) return null;
    const children = childrenIn(bytes);
    if (!children) return null;
    let samples = 0;
    for (const child of children) {
      if (child.id !== ID.simpleBlock && child.id !== ID.blockGroup) continue;
      const data = bytes.subarray(child.data, child.data + (child.size ?? 0));
      const inner = child.id === ID.blockGroup ? elementIn(data, 0) : null;
      const block = inner ? (inner.id === ID.block ? data.subarray(inner.data) : null) : data;
      const packet = block && blockSamples(block);
      if (!packet) return null;
      samples += packet;
    }
    return samples;
  }
}

/** A block of one Opus packet (no lacing): track number, relative timestamp, flags, then the TOC byte. */
function blockSamples(block: Buffer): number | null {
  const track = vint(block, 0, false);
  if (!track || block.length < track.length + 4 || (block[track.length + 2] ?? 0) & 0x06) return null;
  return opusPacketSamples(block.subarray(track.length + 3));
}

/** Samples in an Opus packet, from its TOC byte (RFC 6716, 3.1). */
export function opusPacketSamples(packet: Uint8Array): number | null {
  const toc = packet[0];
  if (toc === undefined) return null;
  const config = toc >> 3;
  const tenths =
    config < 12
      ? [100, 200, 400, 600][config % 4]
      : config < 16
        ? [100, 200][config % 2]
        : [25, 50, 100, 200][config % 4];
  const code = toc & 3;
  const frames = code === 0 ? 1 : code < 3 ? 2 : (packet[1] ?? 0) & 0x3f;
  return frames === 0 || tenths === undefined ? null : (frames * tenths * OPUS_RATE) / 10_000;
}

/** One track, Opus, its blocks stored as they are (no ContentEncodings: compressed or stripped headers). */
async function onlyPlainOpusTrack(reader: Reader, tracks: Element): Promise<boolean> {
  const size = tracks.size ?? Number.POSITIVE_INFINITY;
  if (size > MAX_HEAD_ELEMENT) return false;
  const bytes = Buffer.alloc(size);
  if ((await reader.read(bytes, tracks.data, size)) < size) return false;
  const [entry, ...others] = (childrenIn(bytes) ?? []).filter((e) => e.id === ID.trackEntry);
  if (!entry || others.length > 0) return false;
  const fields = childrenIn(bytes.subarray(entry.data, entry.data + (entry.size ?? 0))) ?? [];
  const codec = fields.find((e) => e.id === ID.codecId);
  const name = codec && bytes.subarray(entry.data + codec.data, entry.data + codec.data + (codec.size ?? 0));
  return name?.toString('latin1').replace(/\0+$/, '') === 'A_OPUS' && !fields.some((e) => e.id === ID.contentEncodings);
}

/** The elements `bytes` holds one after another, exactly; null where one does not fit. */
function childrenIn(bytes: Buffer): Element[] | null {
  const found: Element[] = [];
  for (let at = 0; at < bytes.length; ) {
    const child = elementIn(bytes, at);
    if (!child || child.size === null || child.data + child.size > bytes.length) return null;
    found.push(child);
    at = child.data + child.size;
  }
  return found;
}

/** The element header at `position`, read into `into`: an ID of up to 4 bytes, a size of up to 8. */
async function elementAt(reader: Reader, into: Buffer, position: number): Promise<Element | null> {
  const header = elementIn(into.subarray(0, await reader.read(into, position, 12)), 0);
  return header && { ...header, data: position + header.data };
}

/** The element header at `at` in `bytes`, its data's place counted in `bytes`. */
function elementIn(bytes: Buffer, at: number): Element | null {
  const id = vint(bytes, at, true);
  const size = id && vint(bytes, at + id.length, false);
  if (!id || !size || id.length > 4) return null;
  return { id: id.value, size: size.unknown ? null : size.value, data: at + id.length + size.length };
}

/**
 * An EBML variable-length integer: its length marker kept (an ID) or taken off (a size). Null
 * past a double's exact integers: no real size is that large, and a hostile one must not be read.
 */
function vint(
  bytes: Buffer,
  at: number,
  keepMarker: boolean,
): { value: number; length: number; unknown: boolean } | null {
  const first = bytes[at];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (at + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let ones = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const byte = bytes[at + i] ?? 0;
    value = value * 256 + byte;
    ones &&= byte === 0xff;
  }
  const unknown = !keepMarker && ones;
  return unknown || Number.isSafeInteger(value) ? { value, length, unknown } : null;
}
