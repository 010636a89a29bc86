/**
 * SponsorBlock: segments of a YouTube video that people marked as sponsor, self-promotion, intro…,
 * asked of the SponsorBlock API by yt-dlp's own post-processor, then removed from the audio or
 * marked as chapters by our own encode (yt-dlp's cutting shifts chapters by a few milliseconds and
 * cuts at keyframes; ours is exact to the sample).
 *
 * yt-dlp is asked in a call of its own, from the info JSON already extracted: its post-processor
 * fails the whole run when the API is down or answers garbage, and a conversion must never fail
 * for SponsorBlock's sake. Whatever goes wrong there, the audio is converted without cuts and the
 * result says so.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConvertError } from '../errors.ts';
import type { Kept, Span } from './ffmpeg-args.ts';
import { collect, ToolError } from './process.ts';
import {
  type Chapter,
  SPONSORBLOCK_CATEGORIES,
  type SponsorBlockOutcome,
  type SponsorBlockRequest,
  type SponsorCategory,
  type SponsorSegment,
} from './types.ts';
import { formatById, type MediaInfo, type Ytdlp } from './ytdlp.ts';

/** The fields one output needs: its source range and its chapters (relative to the range's start). */
interface Output {
  span: Span;
  chapters: Chapter[];
}

/** yt-dlp's own default, the public SponsorBlock server. */
export const DEFAULT_SPONSORBLOCK_API = 'https://sponsor.ajay.app';

const FETCH_TIMEOUT_MS = 60_000;

/**
 * yt-dlp on the extracted info: its SponsorBlock post-processor runs after format selection (no
 * download, no second extraction) and the segments it found are printed as one JSON line. Only
 * fixed words and our own validated categories go into the argv.
 */
export function sponsorBlockArgs(
  base: readonly string[],
  infoJson: string,
  formatId: string,
  categories: readonly SponsorCategory[],
  api: string,
): string[] {
  return [
    ...base,
    ...['--load-info-json', infoJson, '-f', formatById(formatId)],
    ...['--print', '%(sponsorblock_chapters)j'],
    ...['--sponsorblock-mark', categories.join(','), '--sponsorblock-api', api],
  ];
}

/** The segments yt-dlp printed; null for what it prints for a site SponsorBlock does not know ("NA"). */
export function parseSegments(stdout: string, categories: readonly SponsorCategory[]): SponsorSegment[] | null {
  const raw: unknown = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
  if (!Array.isArray(raw)) return null;
  const segments = raw.flatMap((c: { start_time?: unknown; end_time?: unknown; category?: unknown }) => {
    const { start_time: start, end_time: end, category } = c;
    const known = categories.includes(category as SponsorCategory);
    return known && typeof start === 'number' && typeof end === 'number' && end > start
      ? [{ start, end, category: category as SponsorCategory }]
      : [];
  });
  return segments.sort((a, b) => a.start - b.start);
}

/** Ask yt-dlp for the video's segments; never throws but for a cancel. */
export async function fetchSponsorBlock(
  ytdlp: Ytdlp,
  info: MediaInfo,
  request: SponsorBlockRequest,
  opts: { api: string; dir: string; signal?: AbortSignal },
): Promise<SponsorBlockOutcome> {
  const { action, categories } = request;
  const infoJson = join(opts.dir, 'sponsorblock-info.json');
  try {
    await writeFile(infoJson, info.json);
    const args = sponsorBlockArgs(ytdlp.baseArgs, infoJson, info.format.id, categories, opts.api);
    const running = await ytdlp.start(args, { env: ytdlp.env, signal: opts.signal, timeoutMs: FETCH_TIMEOUT_MS });
    const segments = parseSegments(await collect(running), categories);
    return segments === null ? { action, skipped: 'unsupported' } : { action, segments };
  } catch (err) {
    if (err instanceof ToolError && err.isCanceled)
      throw new ConvertError('cancelled', 'The conversion was cancelled.');
    return { action, skipped: 'unavailable' };
  }
}

/** Segments that overlap or touch, as one. */
function merged(segments: readonly SponsorSegment[]): { start: number; end: number; categories: SponsorCategory[] }[] {
  const out: { start: number; end: number; categories: SponsorCategory[] }[] = [];
  for (const s of [...segments].sort((a, b) => a.start - b.start)) {
    const last = out.at(-1);
    if (last && s.start <= last.end) {
      last.end = Math.max(last.end, s.end);
      if (!last.categories.includes(s.category)) last.categories.push(s.category);
    } else out.push({ start: s.start, end: s.end, categories: [s.category] });
  }
  return out;
}

/**
 * The chapters with the segments marked, as yt-dlp's ModifyChapters marks them: each segment a
 * chapter of its own (titled as yt-dlp titles it), the chapters around it shortened or split; a
 * video without chapters gets one per stretch between segments, titled with the video's title.
 */
export function markChapters(
  chapters: readonly Chapter[],
  segments: readonly SponsorSegment[],
  duration: number,
  title: string,
): Chapter[] {
  const marks = merged(segments).map((m) => ({
    start: m.start,
    end: Math.min(m.end, duration),
    title: `[SponsorBlock]: ${m.categories.map((c) => SPONSORBLOCK_CATEGORIES[c]).join(', ')}`,
  }));
  const base = chapters.length > 0 ? chapters : [{ start: 0, end: duration, title }];
  const rest = base.flatMap((ch) => outside(ch, marks).map((r) => ({ ...r, title: ch.title })));
  return [...rest, ...marks].filter((c) => c.end > c.start).sort((a, b) => a.start - b.start);
}

/** The parts of [range.start, range.end) outside every hole (holes sorted, not overlapping). */
function outside(range: { start: number; end?: number }, holes: readonly { start: number; end: number }[]) {
  const parts: { start: number; end: number }[] = [];
  let at = range.start;
  const end = range.end ?? Number.POSITIVE_INFINITY;
  for (const h of holes) {
    if (h.end <= at || h.start >= end) continue;
    if (h.start > at) parts.push({ start: at, end: h.start });
    at = Math.max(at, h.end);
  }
  if (at < end) parts.push({ start: at, end });
  return parts;
}

/** Chapters that lie wholly inside removed segments go with them. */
export function chaptersLeft(chapters: readonly Chapter[], segments: readonly SponsorSegment[]): Chapter[] {
  const holes = merged(segments);
  return chapters.filter((ch) => !holes.some((h) => h.start <= ch.start && ch.end <= h.end));
}

/**
 * An output with the segments removed: the source ranges it keeps, and its chapters moved to the
 * times they have once the removed stretches before them are gone (those cut short shortened).
 */
export function cutOutput<T extends Output>(out: T, segments: readonly SponsorSegment[]): T {
  const from = out.span.start ?? 0;
  const keep: Kept[] = outside({ start: from, end: out.span.end }, merged(segments)).map((r) =>
    Number.isFinite(r.end) ? r : { start: r.start },
  );
  const chapters = out.chapters
    .map((ch) => ({ ...ch, start: outputTime(keep, from + ch.start), end: outputTime(keep, from + ch.end) }))
    .filter((ch) => ch.end > ch.start);
  return { ...out, span: { ...out.span, keep }, chapters };
}

/** Where source time `t` lands in an output made of `keep` (a removed instant: where the cut is). */
export function outputTime(keep: readonly Kept[], t: number): number {
  let before = 0;
  for (const k of keep) {
    const end = k.end ?? Number.POSITIVE_INFINITY;
    if (t < k.start) return before;
    if (t <= end) return before + (t - k.start);
    before += end - k.start;
  }
  return before;
}

/** The source time an output made of `keep` reached after `t` seconds of output. */
export function sourceTime(keep: readonly Kept[], t: number): number {
  let left = t;
  for (const k of keep) {
    const length = (k.end ?? Number.POSITIVE_INFINITY) - k.start;
    if (left <= length) return k.start + left;
    left -= length;
  }
  return keep.at(-1)?.end ?? t;
}

/** Seconds of output `keep` makes. */
export function keptLength(keep: readonly Kept[], duration: number | null): number | null {
  let total = 0;
  for (const k of keep) {
    const end = k.end ?? duration;
    if (end === null) return null;
    total += end - k.start;
  }
  return total;
}

/** An item's SponsorBlock outcome, when the options ask for one: local files have no YouTube id. */
export function askSponsorBlock(
  input: { kind: 'file' } | { kind: 'remote'; info: MediaInfo; ytdlp: Ytdlp },
  request: SponsorBlockRequest | undefined,
  opts: { api: string; dir: string; signal?: AbortSignal },
): Promise<SponsorBlockOutcome | null> {
  if (!request) return Promise.resolve(null);
  if (input.kind === 'file') return Promise.resolve({ action: request.action, skipped: 'unsupported' });
  return fetchSponsorBlock(input.ytdlp, input.info, request, opts);
}

/** The segments an outcome marks or removes; none when it was skipped. */
export function segmentsOf(outcome: SponsorBlockOutcome | null, action: SponsorBlockRequest['action']) {
  return outcome?.action === action && 'segments' in outcome ? outcome.segments : [];
}

/** An item's chapters once SponsorBlock is applied: segments marked, or the chapters inside removed ones gone. */
export function chaptersWith(
  item: { chapters: Chapter[]; duration: number | null; facts: { title: string } },
  outcome: SponsorBlockOutcome | null,
): Chapter[] {
  const marked = segmentsOf(outcome, 'mark');
  if (marked.length > 0) {
    const duration = item.duration ?? Math.max(...marked.map((s) => s.end));
    return markChapters(item.chapters, marked, duration, item.facts.title);
  }
  return chaptersLeft(item.chapters, segmentsOf(outcome, 'remove'));
}
