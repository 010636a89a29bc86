/** ffprobe's JSON turned into ytconv's own facts at the edge; nothing else reads ffprobe output. */
import { stat } from 'node:fs/promises';
import { ConvertError } from '../errors.ts';
import { run, ToolError } from './process.ts';
import type { Chapter, Tools } from './types.ts';

export interface StreamFacts {
  index: number;
  type: 'audio' | 'video' | 'other';
  codec: string;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
  bitrate?: number;
  attachedPic: boolean;
}

export interface MediaFacts {
  format: string;
  duration: number | null;
  bitrate: number | null;
  size: number | null;
  /** Container-level tags with lower-case keys. */
  tags: Record<string, string>;
  streams: StreamFacts[];
  chapters: Chapter[];
}

interface RawProbe {
  format?: { format_name?: string; duration?: string; bit_rate?: string; size?: string; tags?: Record<string, string> };
  streams?: RawStream[];
  chapters?: { start_time?: string; end_time?: string; tags?: Record<string, string> }[];
}

interface RawStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  bit_rate?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
}

export async function probe(tools: Tools, file: string, signal?: AbortSignal): Promise<MediaFacts> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-show_chapters', file];
  let out: string;
  try {
    out = await run('ffprobe', tools.ffprobe, args, { env: tools.env, signal, timeoutMs: 60_000 });
  } catch (err) {
    if (err instanceof ToolError && !err.notFound && !err.isCanceled) {
      throw new ConvertError('corrupt_media', 'This file could not be read as audio or video; it may be damaged.', {
        cause: err,
      });
    }
    throw err;
  }
  return toFacts(JSON.parse(out) as RawProbe);
}

function num(value: string | number | undefined): number | null {
  const n = Number(value);
  return value === undefined || value === 'N/A' || !Number.isFinite(n) ? null : n;
}

function lowerKeys(tags: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

export function toFacts(raw: RawProbe): MediaFacts {
  const streams = (raw.streams ?? []).map((s): StreamFacts => {
    const type = s.codec_type === 'audio' || s.codec_type === 'video' ? s.codec_type : 'other';
    const facts: StreamFacts = { index: s.index, type, codec: s.codec_name ?? 'unknown', attachedPic: false };
    if (s.width) facts.width = s.width;
    if (s.height) facts.height = s.height;
    if (num(s.sample_rate)) facts.sampleRate = num(s.sample_rate) ?? 0;
    if (s.channels) facts.channels = s.channels;
    if (num(s.bit_rate)) facts.bitrate = num(s.bit_rate) ?? 0;
    facts.attachedPic = s.disposition?.attached_pic === 1;
    return facts;
  });
  // Ogg and Opus keep tags on the stream, not the container.
  const audioTags = lowerKeys(raw.streams?.find((s) => s.codec_type === 'audio')?.tags);
  return {
    format: raw.format?.format_name ?? 'unknown',
    duration: num(raw.format?.duration),
    bitrate: num(raw.format?.bit_rate),
    size: num(raw.format?.size),
    tags: { ...audioTags, ...lowerKeys(raw.format?.tags) },
    streams,
    chapters: (raw.chapters ?? []).map((c, i) => ({
      start: num(c.start_time) ?? 0,
      end: num(c.end_time) ?? 0,
      title: c.tags?.title ?? `Chapter ${i + 1}`,
    })),
  };
}

/** The first real audio stream (not a cover picture), if any. */
export function audioStream(facts: MediaFacts): StreamFacts | undefined {
  return facts.streams.find((s) => s.type === 'audio');
}

/** A local input file's facts and its audio stream; refuses missing files and files without audio. */
export async function probeInput(
  tools: Tools,
  path: string,
  signal?: AbortSignal,
): Promise<{ facts: MediaFacts; audio: StreamFacts }> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new ConvertError('invalid_url', `There is no file at ${path}.`);
  const facts = await probe(tools, path, signal);
  const audio = audioStream(facts);
  if (!audio) throw new ConvertError('no_audio', 'This file has no audio track to convert.');
  return { facts, audio };
}
