/**
 * Where to start decoding an Opus-in-WebM download near a cut, instead of at its first byte: a
 * split encode's later segments (split-encode.ts) are fed the file's header and then the clusters
 * from one a little before their cut, so that none decodes the media before it. Every Opus packet
 * decodes on its own once the decoder has settled: from a cluster at least SETTLE_SAMPLES before
 * the cut, the samples from the cut on are the ones a decode from the start makes (measured: equal
 * to the sample after half a second of a tone).
 *
 * Which source sample a decode from a cluster starts at: ffmpeg drops the stream's pre-skip at the
 * start of any decode, and a decode from the start drops it too, so the first sample is the first
 * sample of the cluster's first packet, counted from the stream's first packet. Block timestamps
 * are rounded (to the millisecond in every WebM seen; ffmpeg's muxer writes 0, 21, 41… for 20 ms
 * packets), so that count is the whole number of packets between the two, which holds while every
 * packet lasts as long as the first: a cluster whose timing does not fit that is not used.
 *
 * Anything else (another codec, laced blocks, sizes left unknown as a live stream writes them) is
 * reported as not seekable, and the segment decodes from the start as before.
 */

/** Up to `length` bytes at `position`, waiting for them while the file grows; fewer only at its end. */
export type ReadAt = (position: number, length: number) => Promise<Buffer>;

/** Decoded at this rate whatever the source was (RFC 7845). */
export const OPUS_RATE = 48_000;
/** How far before its cut a segment's decode starts: twice what the decoder took to settle. */
const SETTLE_SAMPLES = OPUS_RATE;

const ID = {
  ebml: 0x1a45dfa3,
  segment: 0x18538067,
  info: 0x1549a966,
  timestampScale: 0x2ad7b1,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  codecId: 0x86,
  cluster: 0x1f43b675,
  timestamp: 0xe7,
  simpleBlock: 0xa3,
  blockGroup: 0xa0,
  block: 0xa1,
} as const;

/** What a decode from a cluster needs to know of the whole file. */
export interface OpusWebm {
  /** Bytes before the first cluster: EBML header, segment header, info, tracks. */
  headerEnd: number;
  /** Nanoseconds per timestamp unit. */
  scaleNs: number;
  /** Where its packets start: the first block's timestamp, in nanoseconds. */
  firstNs: number;
  /** Samples per packet, from the first packet's TOC. */
  packetSamples: number;
}

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

/** The head of an Opus-in-WebM file with one track; null for anything else. */
export async function readOpusWebm(read: ReadAt): Promise<OpusWebm | null> {
  const ebml = await elementAt(read, 0);
  if (ebml?.id !== ID.ebml || ebml.size === null) return null;
  const segment = await elementAt(read, ebml.data + ebml.size);
  if (segment?.id !== ID.segment) return null;
  let scaleNs = 1_000_000;
  let opus = false;
  for (let at = segment.data; ; ) {
    const child = await elementAt(read, at);
    if (!child || child.size === null) return null;
    if (child.id === ID.cluster) {
      const first = opus ? await firstBlock(read, child) : null;
      if (!first) return null;
      return { headerEnd: at, scaleNs, firstNs: first.timestamp * scaleNs, packetSamples: first.packetSamples };
    }
    if (child.id === ID.info) scaleNs = (await uintChild(read, child, ID.timestampScale)) ?? scaleNs;
    if (child.id === ID.tracks) opus = await onlyOpusTrack(read, child);
    at = child.data + child.size;
  }
}

/**
 * The clusters of one file, found by hopping from cluster header to cluster header as the file
 * arrives (a few bytes read per cluster), and remembered for every segment that asks.
 */
export class ClusterIndex {
  readonly #read: ReadAt;
  readonly #head: OpusWebm;
  readonly #found: { offset: number; firstNs: number; packetSamples: number }[] = [];
  #next: number | null;
  /** One walk at a time: a later question continues where an earlier one stopped. */
  #walking: Promise<unknown> = Promise.resolve();

  constructor(read: ReadAt, head: OpusWebm) {
    this.#read = read;
    this.#head = head;
    this.#next = head.headerEnd;
  }

  /** Where the first cluster starts: a decode from a later one is fed the bytes before this first. */
  get headerEnd(): number {
    return this.#head.headerEnd;
  }

  /**
   * The last cluster at least SETTLE_SAMPLES before source sample `cut`, once the file holds the
   * cluster after it (or has ended); null where no cluster fits (too near the start, or timing that
   * does not count in whole packets): decode from the start then.
   */
  async before(cut: number): Promise<ClusterStart | null> {
    const limitNs = this.#head.firstNs + ((cut - SETTLE_SAMPLES) * 1e9) / OPUS_RATE;
    const walk = this.#walking.then(() => this.#walkPast(limitNs));
    this.#walking = walk.catch(() => {});
    await walk;
    const cluster = this.#found.findLast((c) => c.firstNs <= limitNs);
    return cluster ? this.#start(cluster) : null;
  }

  async #walkPast(limitNs: number): Promise<void> {
    while (this.#next !== null && (this.#found.at(-1)?.firstNs ?? -1) <= limitNs) {
      const cluster = await elementAt(this.#read, this.#next);
      if (cluster?.id !== ID.cluster || cluster.size === null) {
        // The file's end, or what follows the clusters (cues, tags), or a size to be read through.
        this.#next = null;
        return;
      }
      const first = await firstBlock(this.#read, cluster);
      if (first) {
        const { packetSamples } = first;
        this.#found.push({ offset: this.#next, firstNs: first.timestamp * this.#head.scaleNs, packetSamples });
      }
      this.#next = cluster.data + cluster.size;
    }
  }

  #start(cluster: { offset: number; firstNs: number; packetSamples: number }): ClusterStart | null {
    const { firstNs, packetSamples, scaleNs } = this.#head;
    if (cluster.packetSamples !== packetSamples) return null;
    const samples = ((cluster.firstNs - firstNs) * OPUS_RATE) / 1e9;
    const packets = Math.round(samples / packetSamples);
    // Rounded timestamps are off by less than one unit; more means packets of another length.
    if (packets <= 0 || Math.abs(samples - packets * packetSamples) > (scaleNs * OPUS_RATE) / 1e9) return null;
    return { offset: cluster.offset, firstSample: packets * packetSamples };
  }
}

/**
 * The cluster's own timestamp plus its first block's, and that block's packet length, from the
 * cluster's first bytes (one read per cluster): its timestamp comes first, its first block soon.
 */
async function firstBlock(
  read: ReadAt,
  cluster: Element,
): Promise<{ timestamp: number; packetSamples: number } | null> {
  const bytes = await read(cluster.data, Math.min(cluster.size ?? 0, CLUSTER_START));
  let clusterTime: number | null = null;
  for (let at = 0; at < bytes.length; ) {
    const child = elementIn(bytes, at);
    if (!child || child.size === null) return null;
    const data = bytes.subarray(child.data, child.data + child.size);
    if (child.id === ID.timestamp) clusterTime = uint(data);
    if (child.id === ID.simpleBlock) return clusterTime === null ? null : block(data, clusterTime);
    if (child.id === ID.blockGroup) {
      const inner = elementIn(data, 0);
      const blockData = inner?.id === ID.block ? data.subarray(inner.data) : null;
      return blockData && clusterTime !== null ? block(blockData, clusterTime) : null;
    }
    at = child.data + child.size;
  }
  return null;
}

/** Enough of a cluster to hold its timestamp and its first block's header. */
const CLUSTER_START = 64;

/** A block's header: track number, relative timestamp, flags (no lacing), then the Opus TOC byte. */
function block(bytes: Buffer, clusterTime: number): { timestamp: number; packetSamples: number } | null {
  const track = vint(bytes, 0, false);
  if (!track || bytes.length < track.length + 4) return null;
  const at = track.length;
  if ((bytes[at + 2] ?? 0) & 0x06) return null;
  const packetSamples = opusPacketSamples(bytes.subarray(at + 3));
  return packetSamples === null ? null : { timestamp: clusterTime + bytes.readInt16BE(at), packetSamples };
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

async function onlyOpusTrack(read: ReadAt, tracks: Element): Promise<boolean> {
  const entries = await children(read, tracks);
  const [entry, ...others] = entries.filter((e) => e.id === ID.trackEntry);
  if (!entry || others.length > 0) return false;
  const codec = await childOf(read, entry, ID.codecId);
  return (
    codec !== null && (await read(codec.data, codec.size ?? 0)).toString('latin1').replace(/\0+$/, '') === 'A_OPUS'
  );
}

async function uintChild(read: ReadAt, parent: Element, id: number): Promise<number | null> {
  const child = await childOf(read, parent, id);
  return child ? uint(await read(child.data, child.size ?? 0)) : null;
}

async function childOf(read: ReadAt, parent: Element, id: number): Promise<Element | null> {
  return (await children(read, parent)).find((c) => c.id === id) ?? null;
}

async function children(read: ReadAt, parent: Element): Promise<Element[]> {
  const found: Element[] = [];
  const end = parent.data + (parent.size ?? 0);
  for (let at = parent.data; at < end; ) {
    const child = await elementAt(read, at);
    if (!child || child.size === null) break;
    found.push(child);
    at = child.data + child.size;
  }
  return found;
}

/** The element header at `position`: an ID of up to 4 bytes, a size of up to 8. */
async function elementAt(read: ReadAt, position: number): Promise<Element | null> {
  const header = elementIn(await read(position, 12), 0);
  return header && { ...header, data: position + header.data };
}

/** The element header at `at` in `bytes`, its data's place counted in `bytes`. */
function elementIn(bytes: Buffer, at: number): Element | null {
  const id = vint(bytes, at, true);
  const size = id && vint(bytes, at + id.length, false);
  if (!id || !size || id.length > 4) return null;
  return { id: id.value, size: size.unknown ? null : size.value, data: at + id.length + size.length };
}

/** An EBML variable-length integer: its length marker kept (an ID) or taken off (a size). */
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
  return { value, length, unknown: !keepMarker && ones };
}

function uint(bytes: Buffer): number {
  let value = 0;
  for (const byte of bytes) value = value * 256 + byte;
  return value;
}
