/**
 * One source item (a video, a playlist entry, a local file) into one or more tagged audio files
 * in a work directory: plan the outputs, then get the audio and encode it, each encode writing its
 * file's tags, chapters and cover too, so that every file is written once.
 */
import { rm, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ConvertError } from '../errors.ts';
import { formatDuration } from '../units.ts';
import type { ConvertContext } from './convert.ts';
import { makeCover } from './cover.ts';
import { type AudioSpec, type EncodeSource, encodeTo, type KnownFacts, knownFacts } from './encode-to.ts';
import { downloadFile, type StreamEncoder, streamable, streamEncode, tooLarge } from './fetch.ts';
import { canCopyCodec, type EncodeSpec, type Span, type TagInputs } from './ffmpeg-args.ts';
import { nameStem, numberedStem } from './filename.ts';
import { type AlbumOf, writeGains } from './gain-files.ts';
import { type ChildLimits, childLimits } from './limits.ts';
import { joinArtists, splitMultiValues } from './multi-values.ts';
import { spanWithin } from './options.ts';
import { audioStream, probe, probeInput } from './probe.ts';
import type { ProgressReporter } from './progress.ts';
import type { Blocks } from './replaygain.ts';
import { askSponsorBlock, chaptersWith, cutOutput, keptLength, segmentsOf } from './sponsorblock.ts';
import { writeTags } from './tag-inputs.ts';
import { chaptersWithin, type Group, type SourceFacts, type Tags, tagsFor } from './tags.ts';
import { measureLoudness } from './transcode.ts';
import { truncation } from './truncation.ts';
import type { Chapter, ConvertOptions, Engine, Source, SponsorBlockOutcome, Tools, Truncation } from './types.ts';
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
  playlist?: Group;
}

/** A finished file in the work directory, waiting to be moved into place. */
export interface Made extends Encoded {
  /** The stem of the name people see (see filename.ts); the file on disk gets its `diskStem`. */
  stem: string;
  title: string;
  artist: string | null;
  unsplit: boolean;
  /** ReplayGain: the file's loudness, measured, when its album's gain is written later (a playlist entry's). */
  loudness: Blocks | null;
  /** What SponsorBlock removed or marked in the item; null when not asked. */
  sponsorblock: SponsorBlockOutcome | null;
}

export type { KnownFacts };

/** An encoded file, where its source's audio ended early (if it did), and what the encode tells of it. */
interface Encoded {
  path: string;
  truncated: Truncation | null;
  /** Null when only a reading of the file can tell (see knownFacts). */
  known: KnownFacts | null;
}

interface Planned {
  span: Span;
  tags: Tags;
  chapters: Chapter[];
  stem: string;
  album: AlbumOf;
  unsplit: boolean;
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
      artists: t.artist ? [t.artist] : [],
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
  const cover = item.thumbnail ? coverWithin(item.thumbnail, ctx) : Promise.resolve(null);
  // A cover is a nicety: one the caller fails to keep fails nothing.
  const handed = cover.then((path) => (path === null ? undefined : ctx.onCover?.(path))).catch(() => {});
  const sponsor = await askSponsorBlock(item.input, ctx.options.sponsorblock, {
    ...ctx,
    api: ctx.engine.sponsorBlockApi,
  });
  const removed = segmentsOf(sponsor, 'remove');
  const plan = planOutputs({ ...item, chapters: chaptersWith(item, sponsor) }, ctx.options).map((out) =>
    removed.length > 0 ? cutOutput(out, removed) : out,
  );
  // The encodes wait for these; the download does not. An encode that never starts leaves them unread.
  const tags = cover.then((path) => writeTags(plan, path, ctx));
  tags.catch(() => {});
  // Even on failure, let the cover's ffmpeg (and the caller's copy) finish before the work directory goes away.
  const audios = await encodeAll(item, plan, tags, ctx).finally(() => Promise.allSettled([handed, tags]));
  const loudness = ctx.options.replaygain ? await measureGains(item, plan, audios, ctx) : null;
  for (const [i, out] of plan.entries()) {
    if (out.tags.artists.length > 1) await splitMultiValues((audios[i] as Encoded).path, ctx.options.format);
  }
  // Tagging was done by the encodes: the phase is over as soon as it begins.
  ctx.reporter.update('tagging', 1);
  return plan.map((out, i) => ({
    ...(audios[i] as Encoded),
    ...{ stem: out.stem, unsplit: out.unsplit, ...trackOf(out.tags) },
    loudness: out.album === 'playlist' ? (loudness?.[i] ?? null) : null,
    sponsorblock: sponsor,
  }));
}

/** Who and what a file is, as its tags say: for the playlist file that lists it. */
function trackOf(tags: Tags): Pick<Made, 'title' | 'artist'> {
  return { title: tags.title, artist: joinArtists(tags.artists) };
}

/** ReplayGain: each file decoded once more, after its encode, to write the gains it was encoded with. */
function measureGains(item: Item, plan: Planned[], audios: Encoded[], ctx: ItemContext): Promise<Blocks[]> {
  const total = plan.reduce((sum, p) => sum + (spanLength(p.span, item.duration) ?? 0), 0);
  const files = plan.map((out, i) => ({ path: (audios[i] as Encoded).path, album: out.album }));
  return writeGains(ctx.engine.tools, ctx.options.format, files, {
    signal: ctx.signal,
    limits: childLimits(ctx.engine.limits, item.duration),
    onTime: (t) => ctx.reporter.update('tagging', total ? t / total : null),
  });
}

/**
 * How long a cover may take: the encodes wait for it (it goes into the file as they write it), so
 * a stalled thumbnail host must not hold the audio back. A cover fetched later goes nowhere.
 */
const COVER_WAIT_MS = 5000;

function coverWithin(thumbnail: string, ctx: ItemContext): Promise<string | null> {
  const signal = AbortSignal.any([AbortSignal.timeout(COVER_WAIT_MS), ...(ctx.signal ? [ctx.signal] : [])]);
  return makeCover(ctx.engine, thumbnail, ctx.dir, signal).catch(() => null);
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

/**
 * One output per chapter when splitting, named `NN - Chapter (Video)` so that the splits of several
 * videos never collide (in a playlist, a ZIP); else one output for the (trimmed) whole, which says
 * when it was meant to be split but there were no chapters to split it by.
 */
export function planOutputs(item: Item, options: ConvertOptions): Planned[] {
  const span = spanWithin(options, item.duration);
  const from = span.start ?? 0;
  const to = span.end ?? item.duration ?? Number.POSITIVE_INFINITY;
  const chapters = chaptersWithin(item.chapters, from, to);
  if (options.splitChapters && chapters.length > 0) {
    const video = tagsFor(item.facts);
    const album = { album: item.facts.title, albumArtist: joinArtists(video.artists), count: chapters.length };
    return chapters.map((ch, i) => ({
      span: { start: from + ch.start, end: from + ch.end },
      tags: tagsFor(item.facts, { ...album, index: i + 1, title: ch.title }),
      chapters: [],
      stem: numberedStem(i + 1, chapters.length, `${ch.title} (${album.album})`),
      album: 'chapters' as const,
      unsplit: false,
    }));
  }
  const tags = tagsFor(item.facts, item.playlist);
  const p = item.playlist;
  return [
    {
      ...{ span, tags, chapters, album: p ? 'playlist' : null, unsplit: options.splitChapters },
      stem: p ? numberedStem(p.index, p.count, item.facts.title) : nameStem(item.facts.title),
    },
  ];
}

/** An item's work context: every child it starts runs under the same limits. */
type EncodeContext = ItemContext & { limits: ChildLimits };

/** Encode every planned output with its tags; returns the files in plan order. */
async function encodeAll(
  item: Item,
  plan: Planned[],
  tags: Promise<TagInputs[]>,
  itemCtx: ItemContext,
): Promise<Encoded[]> {
  const ctx = { ...itemCtx, limits: childLimits(itemCtx.engine.limits, item.duration) };
  const { options } = ctx;
  const single = plan.length === 1 && !options.splitChapters;
  const span = plan[0]?.span;
  const whole = single && span?.start === undefined && span?.end === undefined && span?.keep === undefined;
  // Copy only when nothing but the container changes.
  const copyable = (codec: string | null) =>
    whole && !options.quality && !options.normalize && canCopyCodec(options.format, codec);
  const input = item.input;
  // Normalizing measures the whole audio before the encode writes the file's first bytes.
  if (input.kind === 'remote' && single && !options.normalize && streamable(input.info.format)) {
    ctx.reporter.route('stream');
    const out = join(ctx.dir, `audio-0.${options.format}`);
    const copy = copyable(input.info.format.acodec);
    const spec = { format: options.format, quality: options.quality, copy, span: plan[0]?.span };
    const source = { duration: item.duration, sampleRate: input.info.format.sampleRate };
    const itsTags = tags.then(([t]) => t as TagInputs);
    const encode: StreamEncoder = (stream, run) => encodeTo(stream, source, out, spec, itsTags, ctx.engine, run);
    const reached = await streamRemote(input.info, input.ytdlp, encode, spec.span, item.duration, ctx);
    const known = knownFacts(spec, input.info.format.sampleRate, reached);
    return [{ path: out, truncated: truncation(spec.span, item.duration, reached), known }];
  }
  ctx.reporter.route(input.kind === 'file' ? 'file' : options.normalize ? 'normalize' : 'download');
  if (input.kind === 'file')
    return encodeFromFile({ ...input, duration: item.duration }, plan, await tags, copyable(input.codec), ctx);
  const source = await downloadRemote(input.info, input.ytdlp, ctx);
  const audios = await encodeFromFile(source, plan, await tags, copyable(source.codec), ctx);
  await rm(source.path);
  return audios;
}

interface LocalSource extends EncodeSource {
  path: string;
  codec: string | null;
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
  encode: StreamEncoder,
  span: Span | undefined,
  duration: number | null,
  ctx: EncodeContext,
): Promise<number | null> {
  const jsonPath = await writeInfo(info, ctx.dir);
  const expected = spanLength(span, duration);
  let downloaded = false;
  const max = ctx.engine.limits.maxDurationSec;
  return streamEncode(
    ytdlp,
    jsonPath,
    info.format,
    {
      encode,
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
  if (span?.keep) return keptLength(span.keep, duration);
  if (span?.end !== undefined) return span.end - (span.start ?? 0);
  return duration === null ? null : duration - (span?.start ?? 0);
}

async function encodeFromFile(
  source: LocalSource,
  plan: Planned[],
  tags: TagInputs[],
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
    const spec: AudioSpec = { format: options.format, quality: options.quality, copy, span: out.span, loudness };
    // loudnorm resamples to 192 kHz internally; keep the source's rate (Opus is always 48 kHz).
    if (loudness && options.format !== 'opus' && source.sampleRate) spec.sampleRate = source.sampleRate;
    const run = { signal: ctx.signal, limits: ctx.limits, onTime };
    const reached = await encodeTo(source.path, source, path, spec, Promise.resolve(tags[i] as TagInputs), engine, run);
    before += length;
    const known = knownFacts(spec, source.sampleRate, reached);
    outputs.push({ path, truncated: truncation(out.span, source.duration, reached), known });
  }
  return outputs;
}
