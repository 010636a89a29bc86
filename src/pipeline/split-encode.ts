/**
 * One MP3 encoded as segments in parallel, one ffmpeg per core, then spliced into one gapless file:
 * the frames between the cuts kept (split-plan.ts), one Info frame with the whole's counts, seek
 * table, encoder delay and padding written in front. Decoded, it has exactly the source's samples,
 * and the error at a seam is no larger than anywhere else. The tags, chapters and cover are the
 * ID3v2 tag made beside the segments (mp3-head.ts), which heads the spliced file.
 *
 * Each segment's ffmpeg decodes the source from its start and keeps its own samples (atrim in
 * encodeArgs: exact where a seek on Opus-in-WebM is not), except where the source is a download
 * of Opus in WebM (YouTube's usual audio): there each is fed the file's header and the clusters
 * from one a second or more before its cut (webm-seek.ts), so that little is decoded twice (that
 * second, and up to a cluster's length more), and there are more segments than encoders
 * (seekableSegmentCount). A download lands on disk as it arrives and every segment reads it from
 * there (spool.ts), so all encoders work while it arrives.
 * Decoding once into a PCM spool instead was measured slower on 2 cores (20-min Opus source, two
 * segments): the second decode of the first half costs 0.9 s of CPU, but writing and reading back
 * 460 MB of f32 PCM cost 1.5–3 s of system time; it would win only from about 4 segments up.
 */
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { ConvertError } from '../errors.ts';
import { type EncodeSpec, encodeArgs } from './ffmpeg-args.ts';
import { type FrameHeader, frameLength, parseFrameHeader } from './mp3-frames.ts';
import { crc16, type InfoTag, readInfoTag, seekTable, writeInfoTag } from './mp3-info-tag.ts';
import { cancelled } from './playlist.ts';
import {
  DECODE_SHARE,
  planSplice,
  type Segment,
  type Splice,
  seekableSegmentCount,
  seekShrink,
  segmentLayout,
} from './split-plan.ts';
import type { Spool, SpoolReader } from './spool.ts';
import { type FfmpegRun, ffmpegEncode } from './transcode.ts';
import type { Tools } from './types.ts';
import { ClusterIndex, OPUS_RATE, opusWebmHeaderEnd } from './webm-seek.ts';

export interface SplitMp3 {
  /**
   * At a rate libmp3lame encodes at (segmentCount checked it): a local file ffmpeg can decode, or a
   * download as it arrives, of a container ffmpeg reads from a pipe.
   */
  input: string | Spool;
  output: string;
  /** The ID3v2 tag (mp3-head.ts), written in front of the spliced frames: no segment waits for it. */
  head: Promise<Buffer>;
  /** `192k`-style bitrate or `V0`…`V9`; undefined = the MP3 default. */
  quality?: string;
  /** The source's length in samples, an estimate (duration × rate): it places the cuts only. */
  totalSamples: number;
  /** Encoders at once, from segmentCount; as many segments, or more from a seekable download. */
  encoders: number;
  /** Overlap at each cut, in frames (default ROLL_FRAMES); 0 is the naive split the tests hold up against it. */
  rollFrames?: number;
}

/**
 * Encode `job.input` to `job.output` behind `job.head`, as encodeArgs + ffmpegEncode would with
 * the tags. `onTime` gets the seconds encoded so far over all segments. Resolves with the seconds
 * the file decodes to. On failure or abort every encoder is ended and no file is left behind.
 */
export async function encodeMp3Split(
  tools: Tools,
  job: SplitMp3,
  opts: Pick<FfmpegRun, 'signal' | 'limits' | 'onTime'>,
): Promise<number> {
  const reader = typeof job.input === 'string' ? null : job.input.reader();
  const part = `${job.output}.part`;
  let paths: string[] = [];
  try {
    const seek = reader && (await untilAborted(clusterIndex(reader), opts.signal));
    const layout = splitLayout(job, seek !== null);
    paths = layout.map((_, i) => `${job.output}.segment-${i}`);
    await encodeSegments(
      tools,
      job,
      layout,
      paths,
      (segment, signal) => sourceOf(job.input, seek, segment, signal),
      opts,
    );
    if (opts.signal?.aborted) throw cancelled();
    const seconds = await spliceOrFail(await job.head, paths, layout, part);
    await rename(part, job.output);
    return seconds;
  } finally {
    await reader?.close();
    await Promise.all([...paths, part].map((path) => rm(path, { force: true })));
  }
}

/** The segments of `job`: equal work per segment, each decoding from its start or (`seekable`) near its cut. */
export function splitLayout(job: Omit<SplitMp3, 'input' | 'output' | 'head'>, seekable: boolean): Segment[] {
  if (!seekable) return segmentLayout(job.totalSamples, job.encoders, job.rollFrames, DECODE_SHARE);
  const count = seekableSegmentCount(job.totalSamples / OPUS_RATE, job.encoders);
  return segmentLayout(job.totalSamples, count, job.rollFrames, seekShrink(count));
}

/** The clusters of an Opus-in-WebM download, once its header has arrived; null for any other file. */
async function clusterIndex(reader: SpoolReader): Promise<ClusterIndex | null> {
  const headerEnd = await opusWebmHeaderEnd(reader);
  return headerEnd === null ? null : new ClusterIndex(reader, headerEnd);
}

/** Where a segment reads the source: ffmpeg's input argument, what feeds its stdin, its first sample. */
interface SegmentSource {
  arg: string;
  stdin?: (stdin: Writable, taken: () => void) => Promise<void>;
  /** The source sample the decode starts at (atrim counts from there). */
  firstSample: number;
}

/** For a segment after the first of a seekable download: from the cluster before its cut, once it has arrived. */
async function sourceOf(
  input: string | Spool,
  seek: ClusterIndex | null,
  segment: Segment,
  signal: AbortSignal,
): Promise<SegmentSource> {
  if (typeof input === 'string') return { arg: input, firstSample: 0 };
  const start = seek && segment.inputStart > 0 ? await untilAborted(seek.before(segment.inputStart), signal) : null;
  const skip = seek && start ? { from: seek.headerEnd, to: start.offset } : undefined;
  return {
    arg: 'pipe:0',
    stdin: (stdin, taken) => input.copyTo(stdin, taken, skip),
    firstSample: start?.firstSample ?? 0,
  };
}

/** `promise`, or a cancel as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(cancelled());
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/**
 * `job.encoders` segments at a time, in order, the next as soon as one ends; the first failure
 * ends the others, and is what the caller sees.
 */
async function encodeSegments(
  tools: Tools,
  job: SplitMp3,
  layout: readonly Segment[],
  paths: readonly string[],
  sourceFor: (segment: Segment, signal: AbortSignal) => Promise<SegmentSource>,
  opts: Pick<FfmpegRun, 'signal' | 'limits' | 'onTime'>,
): Promise<void> {
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const positions = layout.map(() => 0);
  let failure: unknown;
  const encode = async (segment: Segment, i: number): Promise<void> => {
    const onTime = (seconds: number): void => {
      positions[i] = seconds;
      opts.onTime?.(positions.reduce((sum, s) => sum + s, 0));
    };
    try {
      const source = await sourceFor(segment, signal);
      const range = { start: segment.inputStart - source.firstSample, end: segment.inputEnd };
      if (range.end !== null) range.end -= source.firstSample;
      const spec: EncodeSpec = { format: 'mp3', quality: job.quality, copy: false, segment: range, tags: null };
      const run = { signal, limits: opts.limits, onTime, stdin: source.stdin };
      await ffmpegEncode(tools, encodeArgs(source.arg, paths[i] ?? '', spec), run);
    } catch (err) {
      failure ??= err;
      stop.abort();
    }
  };
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < layout.length && !signal.aborted; i = next++) await encode(layout[i] as Segment, i);
  };
  await Promise.all(Array.from({ length: Math.min(job.encoders, layout.length) }, lane));
  if (failure !== undefined) throw failure;
}

async function spliceOrFail(
  id3: Buffer,
  paths: readonly string[],
  layout: readonly Segment[],
  output: string,
): Promise<number> {
  try {
    return await splice(id3, paths, layout, output);
  } catch (err) {
    throw new ConvertError('internal', 'The encoded segments could not be joined.', { cause: err });
  }
}

/** A segment's Info frame, its first bytes: a segment is encoded without an ID3 tag (encodeArgs). */
interface Head {
  info: Buffer;
  header: FrameHeader;
  tag: InfoTag;
}

/** Write `id3`, one Info frame for the whole, the kept frames; resolves with the seconds it decodes to. */
async function splice(
  id3: Buffer,
  paths: readonly string[],
  layout: readonly Segment[],
  output: string,
): Promise<number> {
  const heads = await Promise.all(paths.map(readHead));
  const first = heads[0];
  if (!first) throw new Error('no segments');
  const plan = planSplice(
    layout,
    heads.map((h) => ({ ...h.tag, samplesPerFrame: h.header.samplesPerFrame })),
  );
  const file = await open(output, 'w');
  try {
    await file.write(id3, 0, id3.length, 0);
    const lengths = new Uint16Array(plan.frames);
    const sink: Sink = { file, base: id3.length, position: first.info.length, lengths, frames: 0, crc: 0 };
    const buffer = Buffer.allocUnsafe(COPY_CHUNK);
    for (const [i, range] of plan.ranges.entries()) await copyFrames(paths[i] ?? '', range, sink, buffer);
    // Fewer frames than their Info frames said: the Info frame written would claim the plan's.
    if (sink.frames !== plan.frames) throw new Error(`${sink.frames} frames spliced of ${plan.frames}`);
    const info = writeInfoTag(first.info, totals(plan, sink, first.info.length));
    await file.write(info, 0, info.length, sink.base);
  } finally {
    await file.close();
  }
  return plan.samples / first.header.sampleRate;
}

function totals(plan: Splice, sink: Sink, infoLength: number) {
  const { frames, encoderDelay, padding } = plan;
  const toc = seekTable(infoLength, sink.lengths.subarray(0, sink.frames));
  return { frames, bytes: sink.position, encoderDelay, padding, toc, musicCrc: sink.crc };
}

/** The longest Layer III frame is 1441 bytes (320 kbps at 32 kHz). */
const MAX_FRAME = 1441;

async function readHead(path: string): Promise<Head> {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(MAX_FRAME), 0, MAX_FRAME, 0);
    const header = parseFrameHeader(buffer.subarray(0, bytesRead));
    const info = header && buffer.subarray(0, header.length);
    const tag = info && readInfoTag(info);
    if (!header || !info || !tag) throw new Error(`${path} does not start with an Info frame`);
    return { info, header, tag };
  } finally {
    await file.close();
  }
}

/** Where the spliced frames go, and what the Info frame needs to know of them. */
interface Sink {
  file: FileHandle;
  /** Where the Info frame is written: after the ID3 tag, which the Info frame's counts leave out. */
  base: number;
  /** Counted from `base`. */
  position: number;
  /** Each kept frame's length (at most 1441 bytes), for the seek table: sized once, as the plan counts them. */
  lengths: Uint16Array;
  /** Frames kept so far. */
  frames: number;
  crc: number;
}

/**
 * Bytes read at a time: one buffer for the whole splice, reused, and the frames within it walked
 * by their lengths, so the worker's memory stays flat (a view per frame took an hour's splice to
 * 200 MB; a buffer per segment left a dead megabyte per segment for the collector).
 */
const COPY_CHUNK = 1 << 20;

/** Append a segment's audio frames [from, to) to the sink, reading it in chunks of whole frames. */
async function copyFrames(
  path: string,
  range: { from: number; to: number },
  sink: Sink,
  buffer: Buffer,
): Promise<void> {
  const file = await open(path);
  let position = 0;
  let filled = 0;
  // Frames read so far, the Info frame included: audio frame i is frame i + 1.
  let frames = 0;
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, position);
      position += bytesRead;
      filled += bytesRead;
      // The kept frames of a chunk follow each other: from `keepFrom` to `at` once past them.
      let at = 0;
      let keepFrom = -1;
      let keepTo = 0;
      for (let length = frameLength(buffer, 0); length > 0 && at + length <= filled; length = frameLength(buffer, at)) {
        if (frames > range.from && frames <= range.to) {
          if (keepFrom < 0) keepFrom = at;
          keepTo = at + length;
          record(sink, length);
        }
        frames++;
        at += length;
      }
      if (at + 4 <= filled && frameLength(buffer, at) === 0)
        throw new Error(`no MP3 frame header at byte ${position - filled + at}`);
      if (keepFrom >= 0) await append(sink, buffer.subarray(keepFrom, keepTo));
      // The start of a frame the chunk cut off moves to the front, for the next read to complete.
      filled = buffer.copy(buffer, 0, at, filled);
      if (bytesRead === 0) break;
    }
  } finally {
    await file.close();
  }
  if (filled > 0) throw new Error(`${path} ends inside a frame`);
}

/** One more kept frame, of `length` bytes, for the seek table. */
function record(sink: Sink, length: number): void {
  if (sink.frames >= sink.lengths.length) throw new Error('more frames than the splice planned');
  sink.lengths[sink.frames++] = length;
}

/** Write `data`, whole frames already recorded, after what the sink holds. */
async function append(sink: Sink, data: Buffer): Promise<void> {
  await sink.file.write(data, 0, data.length, sink.base + sink.position);
  sink.position += data.length;
  sink.crc = crc16(data, sink.crc);
}
