/** Running ffmpeg: encode with progress, measure loudness, tag, make covers; failures as ConvertError. */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConvertError } from '../errors.ts';
import { type LoudnessMeasurement, loudnessScanArgs, replayGainScanArgs, type Span } from './ffmpeg-args.ts';
import { type ChildLimits, limitError } from './limits.ts';
import { run, start, ToolError } from './process.ts';
import { type Blocks, blocksFrom } from './replaygain.ts';
import type { Tools } from './types.ts';

export interface FfmpegRun {
  signal?: AbortSignal;
  /**
   * The overall cap, and the inactivity limit that the output position growing feeds. A piped
   * input leaves the inactivity limit out: its quiet is the download's (see streamEncode).
   */
  limits: Pick<ChildLimits, 'timeoutMs'> & Partial<ChildLimits>;
  /** Called with the output position in seconds as ffmpeg reports it (about twice a second). */
  onTime?: (seconds: number) => void;
  /**
   * Bytes to feed ffmpeg's stdin (when the input is `pipe:0`), or what writes them itself and ends
   * it, calling `taken` whenever ffmpeg has taken more: progress too, where the position may stand
   * still for a while (a segment's encoder decoding up to its cut, or waiting for a download).
   */
  stdin?: Readable | ((stdin: Writable, taken: () => void) => Promise<void>);
  onStderrLine?: (line: string) => void;
}

/**
 * Run an ffmpeg job that reports its position (`-progress pipe:1`): an encode, the loudness scan.
 * Resolves with the last position, in seconds: how much it decoded (null if it never said).
 */
export async function ffmpegEncode(tools: Tools, args: string[], opts: FfmpegRun): Promise<number | null> {
  const child = start('ffmpeg', tools.ffmpeg, args, {
    env: tools.env,
    signal: opts.signal,
    stdin: opts.stdin !== undefined,
    onStderrLine: opts.onStderrLine,
    ...opts.limits,
  });
  let position = -1;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const m = /^out_time_us=(\d+)/.exec(line);
    if (!m) return;
    const seconds = Number(m[1]) / 1e6;
    // ffmpeg repeats its position while it waits; only a step forward is progress.
    if (seconds > position) child.progressed();
    position = Math.max(position, seconds);
    opts.onTime?.(seconds);
  });
  if (opts.stdin && child.stdin) {
    // ffmpeg may stop reading early (an error, or a trim end); its exit status tells what happened.
    const feeding =
      typeof opts.stdin === 'function' ? opts.stdin(child.stdin, child.progressed) : pipeline(opts.stdin, child.stdin);
    feeding.catch(() => {});
  }
  try {
    await child.done;
  } catch (err) {
    throw limitError(err, 'convert', opts.limits) ?? ffmpegError(err);
  }
  return position < 0 ? null : position;
}

/** Run a short ffmpeg job (tagging, covers) to completion. */
export async function ffmpegRun(tools: Tools, args: string[], signal?: AbortSignal): Promise<void> {
  try {
    await run('ffmpeg', tools.ffmpeg, args, { env: tools.env, signal, timeoutMs: 10 * 60_000 });
  } catch (err) {
    throw ffmpegError(err);
  }
}

type ScanRun = Pick<FfmpegRun, 'signal' | 'limits' | 'onTime'>;

/** loudnorm's first pass: the measurements the exact second pass needs. */
export async function measureLoudness(
  tools: Tools,
  input: string,
  span: Span | undefined,
  opts: ScanRun,
): Promise<LoudnessMeasurement> {
  const stderr = (await scan(tools, loudnessScanArgs(input, span), opts)).join('\n');
  const json = /\{[^{}]*"input_i"[^{}]*\}/s.exec(stderr)?.[0];
  if (!json) throw new ConvertError('internal', 'Loudness could not be measured.');
  return JSON.parse(json) as LoudnessMeasurement;
}

/** The ReplayGain scan of a file, or of files as they play one after the other (see replaygain.ts). */
export async function measureBlocks(tools: Tools, inputs: readonly string[], opts: ScanRun): Promise<Blocks> {
  return blocksFrom(await scan(tools, replayGainScanArgs(inputs), opts));
}

/** A measuring run's stderr lines, where its filters print what they found. */
async function scan(tools: Tools, args: string[], opts: ScanRun): Promise<string[]> {
  const lines: string[] = [];
  await ffmpegEncode(tools, args, { ...opts, onStderrLine: (line) => lines.push(line) });
  return lines;
}

const CORRUPT =
  /Invalid data found|could not find codec parameters|moov atom not found|Error while decoding|Header missing|EBML header parsing failed|invalid frame|Failed to read|End of file|Invalid argument/i;
const NO_AUDIO = /matches no streams|does not contain any stream/i;

export function ffmpegError(err: unknown): ConvertError {
  if (err instanceof ConvertError) return err;
  if (!(err instanceof ToolError)) return new ConvertError('internal', 'ffmpeg could not be run.', { cause: err });
  if (err.notFound) {
    return new ConvertError('tool_missing', 'ffmpeg is not installed: run make install, or set YTCONV_FFMPEG.');
  }
  if (err.isCanceled) return new ConvertError('cancelled', 'The conversion was cancelled.');
  if (NO_AUDIO.test(err.stderr)) {
    return new ConvertError('no_audio', 'This media has no audio track to convert.', { cause: err });
  }
  if (CORRUPT.test(err.stderr)) {
    return new ConvertError('corrupt_media', 'The media could not be decoded; it may be damaged.', { cause: err });
  }
  return new ConvertError('internal', 'ffmpeg failed while converting.', { cause: err });
}
