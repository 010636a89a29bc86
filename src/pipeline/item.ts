/**
 * One source item (a video, a playlist entry, a local file) into one or more tagged audio files
 * in a work directory: plan the outputs, get and encode the audio, then tag each file.
 */
import { rm, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ConvertError } from '../errors.ts';
import { formatDuration } from '../units.ts';
import type { ConvertContext } from './convert.ts';
import { flacPictureBlock, makeCover } from './cover.ts';
import { downloadFile, streamable, streamEncode, tooLarge } from './fetch.ts';
import { canCopyCodec, type EncodeSpec, encodeArgs, FORMATS, type Span, tagArgs } from './ffmpeg-args.ts';
import { nameStem, numberedStem } from './filename.ts';
import { type ChildLimits, childLimits } from './limits.ts';
import { spanWithin } from './options.ts';
import { audioStream, probe, probeInput } from './probe.ts';
import type { ProgressReporter } from './progress.ts';
import { chaptersWithin, ffmetadata, type SourceFacts, type Tags, tagsFor } from './tags.ts';
import { ffmpegEncode, ffmpegRun, measureLoudness } from './transcode.ts';
import { truncation } from './truncation.ts';
import type { Chapter, ConvertOptions, Engine, Source, Tools, Truncation } from './types.ts';
import type { MediaInfo, Ytdlp } from './ytdlp.ts';

type FileSource = Extract<Source, { kind: 'file' }>;

export interface Item {
  facts: SourceFacts;
  duration: number | null;
  chapters: Chapter[];
  thumbnail: string | null;
  input:
    | { kind: 'file'; path: string; codec: string | null; sampleRate: number | null }
    | { kind: 'remote'; info: MediaInfo; ytdlp: Ytdlp };
  /** Set for playlist entries: the playlist is the album. */
  playlist?: { album: string; index: number; count: number };
}

/** A finished file in the work directory, waiting to be moved into place. */
export interface Made {
  path: string;
  /** The stem of the name people see (see filename.ts); the file on disk gets its `diskStem`. */
  stem: string;
  title: string;
  truncated: Truncation | null;
}

/** An encoded (not yet tagged) file, and where its source's audio ended early, if it did. */
interface Encoded {
  path: string;
  truncated: Truncation | null;
}

interface Planned {
  span: Span;
  tags: Tags;
  chapters: Chapter[];
  stem: string;
}

export interface ItemContext {
  engine: Engine;
  options: ConvertOptions;
  dir: string;
  reporter: ProgressReporter;
  onCover?: ConvertContext['onCover'];
  signal?: AbortSignal;
}

/** A local media file as an item: its own tags, else its file name, as the facts. */
export async function localItem(tools: Tools, source: FileSource, signal?: AbortSignal): Promise<Item> {
  const { path } = source;
  const { facts, audio } = await probeInput(tools, path, signal);
  const t = facts.tags;
  const name = source.name ?? basename(path);
  return {
    facts: {
      title: t.title ?? basename(name, extname(name)),
      uploader: null,
      artist: t.artist ?? null,
      track: null,
      album: t.album ?? null,
      date: t.date ?? null,
      url: null,
    },
    duration: facts.duration,
    chapters: facts.chapters,
    thumbnail: null,
    input: { kind: 'file', path, codec: audio.codec, sampleRate: audio.sampleRate ?? null },
  };
}

/** A video as yt-dlp described it; refused at once when it has no audio. */
export function remoteItem(info: MediaInfo, ytdlp: Ytdlp): Item {
  if (info.format.acodec === 'none') throw new ConvertError('no_audio', 'This video has no audio track to convert.');
  return {
    facts: { ...info, url: info.url || null },
    duration: info.duration,
    chapters: info.chapters,
    thumbnail: info.thumbnail,
    input: { kind: 'remote', info, ytdlp },
  };
}

export async function produceItem(item: Item, ctx: ItemContext): Promise<Made[]> {
  checkDuration(item.duration, ctx.engine);
  checkSize(item, ctx.engine);
  const cover = item.thumbnail
    ? makeCover(ctx.engine, item.thumbnail, ctx.dir, ctx.signal).catch(() => null)
    : Promise.resolve(null);
  // A cover is a nicety: one the caller fails to keep fails nothing.
  const handed = cover.then((path) => (path === null ? undefined : ctx.onCover?.(path))).catch(() => {});
  const plan = planOutputs(item, ctx.options);
  // Even on failure, let the cover's ffmpeg (and the caller's copy) finish before the work directory goes away.
  const audios = await encodeAll(item, plan, ctx).finally(() => handed);
  ctx.reporter.update('tagging', 0);
  const coverPath = await cover;
  const extra = await coverTags(coverPath, ctx);
  const made: Made[] = [];
  for (const [i, out] of plan.entries()) {
    const { path, truncated } = audios[i] as Encoded;
    made.push({ path: await tag(path, out, coverPath, extra, ctx), stem: out.stem, title: out.tags.title, truncated });
    ctx.reporter.update('tagging', (i + 1) / plan.length);
  }
  return made;
}

function checkDuration(duration: number | null, engine: Engine): void {
  const max = engine.limits.maxDurationSec;
  if (duration !== null && duration > max) throw tooLong(max);
}

function tooLong(max: number): ConvertError {
  return new ConvertError('too_long', `The media is longer than this server's limit of ${formatDuration(max)}.`);
}

function checkSize(item: Item, engine: Engine): void {
  const max = engine.limits.maxDownloadBytes;
  const size = item.input.kind === 'remote' ? item.input.info.format.size : null;
  if (max !== null && size !== null && size > max) {
    throw tooLarge(max);
  }
}

/** One output per chapter when splitting, else one output for the (trimmed) whole. */
export function planOutputs(item: Item, options: ConvertOptions): Planned[] {
  const span = spanWithin(options, item.duration);
  const from = span.start ?? 0;
  const to = span.end ?? item.duration ?? Number.POSITIVE_INFINITY;
  const chapters = chaptersWithin(item.chapters, from, to);
  if (options.splitChapters && chapters.length > 0) {
    return chapters.map((ch, i) => ({
      span: { start: from + ch.start, end: from + ch.end },
      tags: tagsFor(item.facts, { album: item.facts.title, index: i + 1, count: chapters.length, title: ch.title }),
      chapters: [],
      stem: numberedStem(i + 1, chapters.length, ch.title),
    }));
  }
  const tags = tagsFor(item.facts, item.playlist);
  const p = item.playlist;
  return [
    { span, tags, chapters, stem: p ? numberedStem(p.index, p.count, item.facts.title) : nameStem(item.facts.title) },
  ];
}

/** An item's work context: every child it starts runs under the same limits. */
type EncodeContext = ItemContext & { limits: ChildLimits };

/** Encode every planned output; returns the encoded (untagged) files in plan order. */
async function encodeAll(item: Item, plan: Planned[], itemCtx: ItemContext): Promise<Encoded[]> {
  const ctx = { ...itemCtx, limits: childLimits(itemCtx.engine.limits, item.duration) };
  const { options } = ctx;
  const single = plan.length === 1 && !options.splitChapters;
  const whole = single && plan[0]?.span.start === undefined && plan[0]?.span.end === undefined;
  // Copy only when nothing but the container changes.
  const copyable = (codec: string | null) =>
    whole && !options.quality && !options.normalize && canCopyCodec(options.format, codec);
  const input = item.input;
  if (input.kind === 'remote' && single && !options.normalize && streamable(input.info.format)) {
    ctx.reporter.route('stream');
    const out = join(ctx.dir, `audio-0.${options.format}`);
    const copy = copyable(input.info.format.acodec);
    const spec = { format: options.format, quality: options.quality, copy, span: plan[0]?.span };
    const reached = await streamRemote(input.info, input.ytdlp, out, spec, item.duration, ctx);
    return [{ path: out, truncated: truncation(spec.span, item.duration, reached) }];
  }
  ctx.reporter.route(input.kind === 'file' ? 'file' : options.normalize ? 'normalize' : 'download');
  if (input.kind === 'file')
    return encodeFromFile({ ...input, duration: item.duration }, plan, copyable(input.codec), ctx);
  const source = await downloadRemote(input.info, input.ytdlp, ctx);
  const audios = await encodeFromFile(source, plan, copyable(source.codec), ctx);
  await rm(source.path);
  return audios;
}

interface LocalSource {
  path: string;
  codec: string | null;
  sampleRate: number | null;
  duration: number | null;
}

async function downloadRemote(info: MediaInfo, ytdlp: Ytdlp, ctx: EncodeContext): Promise<LocalSource> {
  const jsonPath = await writeInfo(info, ctx.dir);
  const path = await downloadFile(ytdlp, jsonPath, info.format, ctx.dir, {
    signal: ctx.signal,
    maxBytes: ctx.engine.limits.maxDownloadBytes,
    limits: ctx.limits,
    onDownload: (p) => ctx.reporter.update('downloading', p.total ? p.bytes / p.total : null),
  });
  const facts = await probe(ctx.engine.tools, path, ctx.signal);
  checkDuration(facts.duration, ctx.engine);
  const audio = audioStream(facts);
  if (!audio) throw new ConvertError('no_audio', 'This media has no audio track to convert.');
  return { path, codec: audio.codec, sampleRate: audio.sampleRate ?? null, duration: facts.duration };
}

async function writeInfo(info: MediaInfo, dir: string): Promise<string> {
  const path = join(dir, 'info.json');
  await writeFile(path, info.json);
  return path;
}

async function streamRemote(
  info: MediaInfo,
  ytdlp: Ytdlp,
  out: string,
  spec: EncodeSpec,
  duration: number | null,
  ctx: EncodeContext,
): Promise<number | null> {
  const jsonPath = await writeInfo(info, ctx.dir);
  const expected = spanLength(spec.span, duration);
  let downloaded = false;
  const max = ctx.engine.limits.maxDurationSec;
  return streamEncode(
    ytdlp,
    jsonPath,
    info.format,
    {
      tools: ctx.engine.tools,
      args: encodeArgs('pipe:0', out, spec),
      onTime: (t, stop) => {
        if (t > max) stop(tooLong(max));
        if (downloaded) ctx.reporter.update('converting', expected ? t / expected : null);
      },
    },
    {
      signal: ctx.signal,
      maxBytes: ctx.engine.limits.maxDownloadBytes,
      limits: ctx.limits,
      onDownload: (p) => {
        downloaded = p.done;
        if (!p.done) ctx.reporter.update('downloading', p.total ? p.bytes / p.total : null);
      },
    },
  );
}

function spanLength(span: Span | undefined, duration: number | null): number | null {
  if (span?.end !== undefined) return span.end - (span.start ?? 0);
  return duration === null ? null : duration - (span?.start ?? 0);
}

async function encodeFromFile(
  source: LocalSource,
  plan: Planned[],
  copy: boolean,
  ctx: EncodeContext,
): Promise<Encoded[]> {
  const { options, engine } = ctx;
  const outputs: Encoded[] = [];
  // Normalizing reads the audio twice, scan then encode; measured, the two take about as long.
  const passes = options.normalize ? 2 : 1;
  const total = passes * plan.reduce((sum, p) => sum + (spanLength(p.span, source.duration) ?? 0), 0) || null;
  let before = 0;
  const onTime = (t: number) => ctx.reporter.update('converting', total ? (before + t) / total : null);
  for (const [i, out] of plan.entries()) {
    const path = join(ctx.dir, `audio-${i}.${options.format}`);
    const length = spanLength(out.span, source.duration) ?? 0;
    let loudness: EncodeSpec['loudness'];
    if (options.normalize) {
      loudness = await measureLoudness(engine.tools, source.path, out.span, { ...ctx, onTime });
      before += length;
    }
    const spec: EncodeSpec = { format: options.format, quality: options.quality, copy, span: out.span, loudness };
    // loudnorm resamples to 192 kHz internally; keep the source's rate (Opus is always 48 kHz).
    if (loudness && options.format !== 'opus' && source.sampleRate) spec.sampleRate = source.sampleRate;
    const reached = await ffmpegEncode(engine.tools, encodeArgs(source.path, path, spec), {
      signal: ctx.signal,
      limits: ctx.limits,
      onTime,
    });
    before += length;
    outputs.push({ path, truncated: truncation(out.span, source.duration, reached) });
  }
  return outputs;
}

/** Ogg and Opus carry the cover as a tag, made once for all of an item's files. */
async function coverTags(cover: string | null, ctx: ItemContext): Promise<Record<string, string>> {
  const { format } = ctx.options;
  if (!cover || FORMATS[format].pictureStream || format === 'wav') return {};
  const facts = await probe(ctx.engine.tools, cover, ctx.signal);
  return { METADATA_BLOCK_PICTURE: await flacPictureBlock(cover, facts.streams[0]?.width ?? 0) };
}

/** Tag one encoded file into its final container; the untagged file is removed (long playlists add up). */
async function tag(
  audio: string,
  out: Planned,
  cover: string | null,
  extra: Record<string, string>,
  ctx: ItemContext,
): Promise<string> {
  const { format } = ctx.options;
  const metaPath = `${audio}.ffmeta`;
  await writeFile(metaPath, ffmetadata(out.tags, format === 'wav' ? [] : out.chapters, extra));
  const tagged = `${audio}.tagged.${format}`;
  await ffmpegRun(
    ctx.engine.tools,
    tagArgs(audio, metaPath, tagged, format, format === 'wav' ? null : cover),
    ctx.signal,
  );
  await Promise.all([rm(audio), rm(metaPath)]);
  return tagged;
}
