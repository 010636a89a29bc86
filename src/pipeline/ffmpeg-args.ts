/**
 * ffmpeg argument lists, built by pure functions so that every choice (codec, bitrate, trim,
 * loudness, tags) is unit-tested without running ffmpeg.
 */
import { SCAN_FILTERS } from './replaygain.ts';
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
  /**
   * The source ranges within start…end that the output keeps, when stretches inside are removed
   * (SponsorBlock, sponsorblock.ts): then the cut is made by filters, to the sample, not by a seek.
   */
  keep?: readonly Kept[];
}

/** A range of the source to keep, in seconds; the last may run to the end of the source. */
export interface Kept {
  start: number;
  end?: number;
}

/** MPEG-1 Layer III's bitrates, in kbps: LAME keeps a constant bitrate asked for only when it is one of them. */
const MP3_KBPS = new Set([32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]);

/**
 * The bitrate an encode cannot but have, in bits/s: MP3 at a constant bitrate MPEG-1 has, from a
 * source of 32 kHz or more (below, LAME writes MPEG-2, whose bitrates stop at 160k; a bitrate
 * outside the table it rounds). Null for the rest (VBR, AAC, Opus, Vorbis, lossless, a copy):
 * their average is the encoder's to decide, and only the file tells it.
 */
export function fixedBitrate(spec: Pick<EncodeSpec, 'format' | 'quality' | 'copy'>, sourceRate: number | null) {
  if (spec.format !== 'mp3' || spec.copy || sourceRate === null || sourceRate < 32_000) return null;
  const kbps = Number(/^(\d+)k$/.exec(spec.quality ?? FORMATS.mp3.bitrate ?? '')?.[1]);
  return MP3_KBPS.has(kbps) ? kbps * 1000 : null;
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
  /** Tags, chapters and cover, written by this same encode; null writes none (a segment after the first). */
  tags: TagInputs | null;
}

/** Source samples [start, end); end null = to the end of the source. */
export interface SampleRange {
  start: number;
  end: number | null;
}

/** What an encode writes besides the audio: an FFMETADATA file (tags, chapters) and a cover picture. */
export interface TagInputs {
  metadata: string;
  /** A JPEG, attached as a picture stream where the container has one (Ogg carries it in the metadata). */
  cover: string | null;
}

export const LOUDNESS_TARGET = { I: -14, TP: -1.5, LRA: 11 } as const;
const LOUDNORM = `loudnorm=I=${LOUDNESS_TARGET.I}:TP=${LOUDNESS_TARGET.TP}:LRA=${LOUDNESS_TARGET.LRA}`;
const COMMON = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-protocol_whitelist', 'file,pipe'];

/**
 * Seek and length, as input options of the audio's input: for a pipe too, where ffmpeg reads up to
 * the start and drops it (the same samples as an output-side cut), because an output-side start
 * would also shift the chapters, which are already relative to it, and drop the cover picture.
 */
function spanArgs(span: Span | undefined): string[] {
  const args: string[] = [];
  if (span?.keep) return args;
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
  args.push(...filterArgs(spec.span, [...segmentFilters(spec.segment), ...loudnessFilters(spec.loudness)]));
  if (spec.sampleRate) args.push('-ar', String(spec.sampleRate));
  // Without the bit reservoir no frame borrows bytes from the one before: each frame stands alone,
  // so frames from different encoders can follow each other.
  if (spec.segment) args.push('-reservoir', '0');
  return args;
}

/** The audio an encode or a scan maps: the first audio stream, or what the cut's graph makes of it. */
const CUT_OUT = '[cut]';
const audioOf = (span: Span | undefined): string => (span?.keep ? CUT_OUT : '0:a:0');

/** The filters over the input's audio: a simple chain, or after the cut's own graph. */
function filterArgs(span: Span | undefined, filters: string[]): string[] {
  if (span?.keep) return ['-filter_complex', cutGraph(span.keep, filters)];
  return filters.length > 0 ? ['-af', filters.join(',')] : [];
}

/**
 * The kept ranges of the decoded audio, joined: each trimmed by atrim, which cuts inside a frame
 * at the sample (aselect keeps or drops whole frames), then `filters` over the whole. Timestamps
 * are first made the count of samples decoded before each: the container's are in milliseconds at
 * best, and Opus's first frame is shorter than its timestamps say (its encoder delay), so atrim
 * would cut up to a frame's worth of samples away from the time asked.
 */
export function cutGraph(keep: readonly Kept[], filters: readonly string[]): string {
  const n = keep.length;
  const split = `[0:a:0]asettb=expr=1/sr,asetpts=N,asplit=${n}${keep.map((_, i) => `[s${i}]`).join('')}`;
  const pieces = keep.map((k, i) => {
    const end = k.end === undefined ? '' : `:end=${k.end.toFixed(6)}`;
    return `[s${i}]atrim=start=${k.start.toFixed(6)}${end},asetpts=PTS-STARTPTS[k${i}]`;
  });
  const joined = `${keep.map((_, i) => `[k${i}]`).join('')}concat=n=${n}:v=0:a=1`;
  return [split, ...pieces, `${[joined, ...filters].join(',')}${CUT_OUT}`].join(';');
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

/**
 * Decode `input` (a file, or `pipe:0`) and write `output`, progress on stdout: the audio and, in the
 * same pass, the tags, chapters and cover, so the file is written once. M4A's index is moved to
 * the front (ffmpeg does that inside this run, when the audio is done) for players that stream.
 */
export function encodeArgs(input: string, output: string, spec: EncodeSpec): string[] {
  return [
    ...COMMON,
    ...['-progress', 'pipe:1', '-nostats'],
    // With more than one input, ffmpeg (5.1) reads each in a thread through a queue of 8 packets:
    // measured on a 20-min Opus copy, that alone doubled the run (0.9 s to 2 s); 1024 brings it near.
    // Given for one input, the option starts that thread too: a 4-min Opus encode from a pipe then
    // took 2.81 s of CPU against 2.43 s without (six alternating pairs; 8,500 context switches against 100).
    ...(spec.tags ? ['-thread_queue_size', '1024'] : []),
    ...spanArgs(spec.span),
    ...['-i', input],
    ...(spec.tags ? tagArgs(spec.format, spec.tags, audioOf(spec.span)) : untagged(spec.format, audioOf(spec.span))),
    ...codecArgs(spec),
    ...(spec.format === 'm4a' ? ['-movflags', '+faststart'] : []),
    ...['-f', FORMATS[spec.format].muxer, '-y', output],
  ];
}

/**
 * An MP3 that starts with the ID3v2 tag encodeArgs would write in front of the frames for `tags`,
 * byte for byte: the same muxer, over one frame of silence (cut by atrim, which every ffmpeg has:
 * anullsrc's own length option is newer). The tag is what counts (mp3-head.ts keeps it alone);
 * the frames are encoded by a run with one input (see encode-to.ts), and the two are joined.
 */
export function mp3HeadArgs(tags: TagInputs, output: string): string[] {
  return [
    ...COMMON,
    ...['-f', 'lavfi', '-i', 'anullsrc,atrim=end_sample=1152'],
    ...tagArgs('mp3', tags, '0:a:0'),
    ...['-c:a', FORMATS.mp3.encoder, '-write_xing', '0', '-f', FORMATS.mp3.muxer, '-y', output],
  ];
}

/**
 * The tag inputs after the audio's (input 0), and the mapping: the first audio stream, the cover as
 * an attached picture, the global tags and chapters from the FFMETADATA file. Nothing of the
 * source's own tags or chapters is kept, not even per stream: they would mix with ours.
 */
function tagArgs(format: AudioFormat, tags: TagInputs, audio: string): string[] {
  const cover = FORMATS[format].pictureStream ? tags.cover : null;
  const meta = cover === null ? '1' : '2';
  return [
    ...(cover === null ? [] : ['-i', cover]),
    ...['-f', 'ffmetadata', '-i', tags.metadata],
    ...['-map', audio, '-map_metadata:s', '-1'],
    ...(cover === null ? [] : ['-map', '1:v', '-c:v', 'copy', '-disposition:v:0', 'attached_pic']),
    // WAV has no place for chapters.
    ...['-map_metadata', meta, '-map_chapters', format === 'wav' ? '-1' : meta],
  ];
}

/** The audio alone: not even the MP3 muxer's own ID3 tag (naming the muxer), which a segment must not carry. */
function untagged(format: AudioFormat, audio: string): string[] {
  return [
    ...['-map', audio, '-map_metadata', '-1', '-map_chapters', '-1'],
    ...(format === 'mp3' ? ['-id3v2_version', '0'] : []),
  ];
}

/** Every measuring run's: its filters print what they find (at the `info` level) on stderr, progress goes to stdout. */
const SCAN_COMMON = [
  ...['-hide_banner', '-nostdin', '-loglevel', 'info', '-protocol_whitelist', 'file,pipe'],
  ...['-progress', 'pipe:1', '-nostats'],
];

/** First loudnorm pass: measure only; the JSON summary is printed on stderr, progress on stdout. */
export function loudnessScanArgs(input: string, span: Span | undefined): string[] {
  return scanArgs(input, span, `${LOUDNORM}:print_format=json`);
}

/**
 * The ReplayGain scan (replaygain.ts) of a file, or of files played one after the other: every
 * block's loudness and peak printed on stderr, progress on stdout.
 */
export function replayGainScanArgs(inputs: readonly string[]): string[] {
  const joined = inputs.map((_, i) => `[${i}:a:0]`).join('');
  return [
    ...SCAN_COMMON,
    ...inputs.flatMap((input) => ['-i', input]),
    ...['-filter_complex', `${joined}concat=n=${inputs.length}:v=0:a=1,${SCAN_FILTERS}`, '-f', 'null', '-'],
  ];
}

/** Decode and measure only: what the filters find goes to stderr, progress to stdout. */
function scanArgs(input: string, span: Span | undefined, filters: string): string[] {
  return [
    ...SCAN_COMMON,
    ...spanArgs(span),
    ...['-i', input],
    ...['-map', audioOf(span), ...filterArgs(span, [filters]), '-f', 'null', '-'],
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
