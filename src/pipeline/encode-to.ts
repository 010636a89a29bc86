/**
 * The encoder for one output: one ffmpeg, or parallel MP3 segments over idle cores where the
 * format joins cleanly and the media is long enough (split-plan.ts); and what its encode tells of
 * the file made.
 */
import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { type EncodeSpec, encodeArgs, fixedBitrate, type TagInputs } from './ffmpeg-args.ts';
import { joinHead, makeMp3Head } from './mp3-head.ts';
import { encodeMp3Split } from './split-encode.ts';
import { segmentCount } from './split-plan.ts';
import type { Spool } from './spool.ts';
import { type FfmpegRun, ffmpegEncode } from './transcode.ts';
import type { Engine, OutputFile } from './types.ts';

/** A file's length and bitrate, as its encode fixed them. */
export type KnownFacts = Pick<OutputFile, 'duration' | 'bitrate'>;

/** An encode's choices but for its tags, which may still be on their way. */
export type AudioSpec = Omit<EncodeSpec, 'tags'>;

/** What the choice of encoder rests on. */
export interface EncodeSource {
  sampleRate: number | null;
  duration: number | null;
}

/**
 * Encode a local file or a download as it arrives (a Spool): over idle cores as parallel segments
 * where the format joins cleanly and the media is long enough (split-plan.ts), else by one ffmpeg.
 * Resolves with the seconds encoded. The tags (with the cover) may still be on their way: an MP3's
 * frames are encoded by runs that read the audio alone, and do not wait for them, while the tags
 * are made beside them as a head of their own (mp3-head.ts), joined in front at the end; another
 * format's encode waits for them, as it writes them.
 *
 * Encoders reading a download (one, or the segments of split-encode.ts) keep the inactivity
 * limit, the bytes they take counting as progress: one that stops taking bytes while they arrive
 * is itself stuck. When the site stops sending they go quiet too, but the download's own limit
 * ends it at the same time, and its failure is the one told (see streamEncode).
 */
export async function encodeTo(
  input: string | Spool,
  source: EncodeSource,
  output: string,
  spec: AudioSpec,
  tags: Promise<TagInputs>,
  engine: Engine,
  run: Pick<FfmpegRun, 'signal' | 'limits' | 'onTime'>,
): Promise<number | null> {
  if (spec.format !== 'mp3' || spec.copy) return encodeOnce(input, output, { ...spec, tags: await tags }, engine, run);
  const head = tags.then((t) => makeMp3Head(engine.tools, t, `${output}.id3`, run.signal));
  // A head that cannot be made ends the encode at once: the file could not be finished.
  const stop = new AbortController();
  head.catch(() => stop.abort());
  const frameRun = { ...run, signal: run.signal ? AbortSignal.any([run.signal, stop.signal]) : stop.signal };
  const frames = `${output}.frames`;
  try {
    const segments = segmentsFor(spec, source, engine);
    if (segments >= 2 && source.duration !== null && source.sampleRate !== null) {
      const totalSamples = Math.round(source.duration * source.sampleRate);
      const job = { input, output, head, quality: spec.quality, totalSamples, encoders: segments };
      return await encodeMp3Split(engine.tools, job, frameRun);
    }
    const reached = await encodeOnce(input, frames, { ...spec, tags: null }, engine, frameRun);
    await joinHead(await head, frames, output);
    return reached;
  } catch (err) {
    // The head's failure is the one to tell, not the cancel it caused. Awaiting the head also
    // lets its ffmpeg end before the caller removes the directory.
    throw await head.then(
      () => err,
      (headErr: unknown) => headErr,
    );
  } finally {
    await rm(frames, { force: true });
  }
}

/** One ffmpeg, reading a file or (a Spool) its stdin. */
function encodeOnce(
  input: string | Spool,
  output: string,
  spec: EncodeSpec,
  engine: Engine,
  run: Pick<FfmpegRun, 'signal' | 'limits' | 'onTime'>,
): Promise<number | null> {
  if (typeof input === 'string') return ffmpegEncode(engine.tools, encodeArgs(input, output, spec), run);
  const stdin = (dest: Writable, taken: () => void) => input.copyTo(dest, taken);
  return ffmpegEncode(engine.tools, encodeArgs('pipe:0', output, spec), { ...run, stdin });
}

/** Parallel segments over the worker's idle cores, or 1 (split-plan.ts). */
function segmentsFor(spec: AudioSpec, source: EncodeSource, engine: Engine): number {
  const { span } = spec;
  const question = {
    format: spec.format,
    durationSec: source.duration,
    sampleRate: source.sampleRate,
    idleCores: engine.parallel.cores(),
    filtered: spec.loudness !== undefined || [span?.start, span?.end, span?.keep].some((v) => v !== undefined),
  };
  return segmentCount(question, engine.parallel.minDurationSec);
}

/**
 * A file's length and bitrate from its encode, where they are exact: the bitrate where the encode
 * fixes it (see fixedBitrate), the length as the encoder's last position (the audio it encoded,
 * to within a frame: closer to the decoded length than a probe of an MP3, which counts LAME's
 * padding). Else null: publish reads the file (an average bitrate is the encoder's to decide).
 */
export function knownFacts(spec: AudioSpec, sourceRate: number | null, reached: number | null): KnownFacts | null {
  const bitrate = fixedBitrate(spec, sourceRate);
  return bitrate === null || reached === null ? null : { duration: reached, bitrate };
}
