/**
 * ffmpeg argument lists, built by pure functions so that every choice (codec, bitrate, trim,
 * loudness, tags) is unit-tested without running ffmpeg.
 */
import type { AudioFormat } from './types.ts';

interface FormatSpec {
  muxer: string;
  encoder: string;
  /** Default bitrate; null for lossless formats. */
  bitrate: string | null;
  /** Does the container carry an attached cover picture stream? (Ogg carries it as a tag.) */
  pictureStream: boolean;
}

export const FORMATS: Readonly<Record<AudioFormat, FormatSpec>> = {
  mp3: { muxer: 'mp3', encoder: 'libmp3lame', bitrate: '192k', pictureStream: true },
  m4a: { muxer: 'ipod', encoder: 'aac', bitrate: '192k', pictureStream: true },
  opus: { muxer: 'opus', encoder: 'libopus', bitrate: '128k', pictureStream: false },
  ogg: { muxer: 'ogg', encoder: 'libvorbis', bitrate: '192k', pictureStream: false },
  flac: { muxer: 'flac', encoder: 'flac', bitrate: null, pictureStream: true },
  wav: { muxer: 'wav', encoder: 'pcm_s16le', bitrate: null, pictureStream: false },
};

/** The source codec names (ffprobe's or yt-dlp's) that each format can take without re-encoding. */
const COPYABLE: Readonly<Record<AudioFormat, RegExp>> = {
  mp3: /^mp3$/,
  m4a: /^(mp4a(\.40\.\d+)?|aac)$/,
  opus: /^opus$/,
  ogg: /^vorbis$/,
  flac: /^flac$/,
  wav: /^pcm_s16le$/,
};

export function canCopyCodec(format: AudioFormat, sourceCodec: string | null | undefined): boolean {
  return sourceCodec != null && COPYABLE[format].test(sourceCodec);
}

/** Output-side cut of the source, in seconds. */
export interface Span {
  start?: number;
  end?: number;
}

/** Loudness measured by a first loudnorm pass, fed back for an exact linear second pass. */
export interface LoudnessMeasurement {
  input_i: string;
  input_tp: string;
  input_lra: string;
  input_thresh: string;
  target_offset: string;
}

export interface EncodeSpec {
  format: AudioFormat;
  /** `192k`-style bitrate or `V0`…`V9` (MP3 VBR); undefined = the format's default. */
  quality?: string;
  copy: boolean;
  span?: Span;
  loudness?: LoudnessMeasurement;
  /** Output sample rate when a filter would otherwise change it (loudnorm works at 192 kHz). */
  sampleRate?: number;
  /** MP3 only: encode just these source samples, to be spliced with the other segments (split-encode.ts). */
  segment?: SampleRange;
}

/** Source samples [start, end); end null = to the end of the source. */
export interface SampleRange {
  start: number;
  end: number | null;
}

export const LOUDNESS_TARGET = { I: -14, TP: -1.5, LRA: 11 } as const;
const LOUDNORM = `loudnorm=I=${LOUDNESS_TARGET.I}:TP=${LOUDNESS_TARGET.TP}:LRA=${LOUDNESS_TARGET.LRA}`;
const COMMON = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-protocol_whitelist', 'file,pipe'];

/** Seek and length, as input options for seekable files and output options for pipes. */
function spanArgs(span: Span | undefined): string[] {
  const args: string[] = [];
  if (span?.start) args.push('-ss', seconds(span.start));
  if (span?.end !== undefined) args.push('-t', seconds(span.end - (span.start ?? 0)));
  return args;
}

function seconds(value: number): string {
  return value.toFixed(3);
}

function codecArgs(spec: EncodeSpec): string[] {
  const f = FORMATS[spec.format];
  if (spec.copy) return ['-c:a', 'copy'];
  const args = ['-c:a', f.encoder];
  const vbr = /^V([0-9])$/.exec(spec.quality ?? '');
  if (vbr?.[1]) args.push('-q:a', vbr[1]);
  else if (f.bitrate) args.push('-b:a', spec.quality ?? f.bitrate);
  const filters = [...segmentFilters(spec.segment), ...loudnessFilters(spec.loudness)];
  if (filters.length > 0) args.push('-af', filters.join(','));
  if (spec.sampleRate) args.push('-ar', String(spec.sampleRate));
  // Without the bit reservoir no frame borrows bytes from the one before: each frame stands alone,
  // so frames from different encoders can follow each other. And no ID3 tag inside a segment.
  if (spec.segment) args.push('-reservoir', '0', '-id3v2_version', '0');
  return args;
}

/**
 * Cut by sample count from the start of the decoded audio: exact, unlike a seek (`-ss` on Opus in
 * WebM starts hundreds of samples away from where it says), at the cost of decoding what comes before.
 */
function segmentFilters(range: SampleRange | undefined): string[] {
  if (!range) return [];
  const end = range.end === null ? '' : `:end_sample=${range.end}`;
  return [`atrim=start_sample=${range.start}${end}`, 'asetpts=PTS-STARTPTS'];
}

function loudnessFilters(m: LoudnessMeasurement | undefined): string[] {
  if (!m) return [];
  const measured = `measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}`;
  return [`${LOUDNORM}:${measured}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=true`];
}

/** Decode `input` (a file, or `pipe:0`) and write untagged audio to `output`, progress on stdout. */
export function encodeArgs(input: string, output: string, spec: EncodeSpec): string[] {
  const piped = input === 'pipe:0';
  return [
    ...COMMON,
    '-progress',
    'pipe:1',
    '-nostats',
    ...(piped ? [] : spanArgs(spec.span)),
    '-i',
    input,
    ...(piped ? spanArgs(spec.span) : []),
    ...['-map', '0:a:0', '-vn', '-sn', '-dn', '-map_metadata', '-1', '-map_chapters', '-1'],
    ...codecArgs(spec),
    '-f',
    FORMATS[spec.format].muxer,
    '-y',
    output,
  ];
}

/** First loudnorm pass: measure only; the JSON summary is printed on stderr, progress on stdout. */
export function loudnessScanArgs(input: string, span: Span | undefined): string[] {
  return [
    ...['-hide_banner', '-nostdin', '-loglevel', 'info', '-protocol_whitelist', 'file,pipe'],
    ...['-progress', 'pipe:1', '-nostats'],
    ...spanArgs(span),
    '-i',
    input,
    ...['-map', '0:a:0', '-af', `${LOUDNORM}:print_format=json`, '-f', 'null', '-'],
  ];
}

/** Copy encoded audio into its final container with tags, chapters and (where it fits) a cover. */
export function tagArgs(
  audio: string,
  metadata: string,
  output: string,
  format: AudioFormat,
  cover: string | null,
): string[] {
  const picture = cover !== null && FORMATS[format].pictureStream;
  const metaIndex = picture ? '2' : '1';
  return [
    ...COMMON,
    '-i',
    audio,
    ...(picture ? ['-i', cover] : []),
    ...['-f', 'ffmetadata', '-i', metadata],
    ...['-map', '0:a', '-c:a', 'copy'],
    ...(picture ? ['-map', '1:v', '-c:v', 'copy', '-disposition:v:0', 'attached_pic'] : []),
    ...['-map_metadata', metaIndex, '-map_chapters', format === 'wav' ? '-1' : metaIndex],
    ...(format === 'm4a' ? ['-movflags', '+faststart'] : []),
    '-f',
    FORMATS[format].muxer,
    '-y',
    output,
  ];
}

/** A square JPEG cover from any thumbnail: centre crop, at most 1000 px. */
export function coverArgs(input: string, output: string): string[] {
  const side = 'min(iw\\,ih)';
  return [
    ...COMMON,
    '-i',
    input,
    ...['-frames:v', '1', '-vf', `crop=${side}:${side},scale='min(1000\\,iw)':'min(1000\\,ih)'`],
    ...['-c:v', 'mjpeg', '-q:v', '3', '-f', 'image2', '-y', output],
  ];
}
