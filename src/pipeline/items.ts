/**
 * Which playlist entries to convert, in yt-dlp's `-I` syntax: `1-3,7,10-`, `-5:` (the last five),
 * `1:10:2` (every other one). We parse it ourselves and select from the flat listing: the text
 * never reaches yt-dlp, and the selection is data (ranges) from the request to the pipeline.
 * Entries are converted in playlist order, each once, whatever order the ranges name them in.
 */
import { ConvertError } from '../errors.ts';

/** One range of positions: 1-based, negative counting from the end; `end` null runs to the last. */
export interface ItemRange {
  start: number | null;
  end: number | null;
  step: number;
}

export type ItemSelection = readonly ItemRange[];

/** Enough for any hand-written selection; bounds the work a request can ask of a check. */
const MAX_RANGES = 100;

// yt-dlp's own grammar for one range (yt_dlp/utils PlaylistEntries.parse_playlist_items).
const RANGE = /^(?<start>[+-]?\d+)?(?<range>[:-](?<end>[+-]?\d+|inf(?:inite)?)?(?::(?<step>[+-]?\d+))?)?$/;

export function parseItems(text: string): ItemSelection {
  const parts = text.replace(/\s+/g, '').split(',');
  if (parts.length > MAX_RANGES) throw invalidItems(text, `at most ${MAX_RANGES} ranges`);
  return parts.map((part) => {
    const m = RANGE.exec(part)?.groups;
    if (!m || part === '') throw invalidItems(text, 'positions such as 1-3,7,10- (or -5: for the last five)');
    const start = m.start === undefined ? null : Number(m.start);
    const end = m.range === undefined ? start : m.end === undefined || m.end.startsWith('inf') ? null : Number(m.end);
    const step = m.step === undefined ? 1 : Number(m.step);
    if (start === 0 || end === 0) throw invalidItems(text, 'positions that start at 1');
    if (step === 0) throw invalidItems(text, 'a step other than 0');
    return { start, end, step };
  });
}

/** The selection in one canonical spelling: equal selections give equal texts (and the same work). */
export function formatItems(selection: ItemSelection): string {
  return selection
    .map(({ start, end, step }) => {
      if (start !== null && start === end) return String(start);
      if (step === 1 && (start ?? 1) > 0 && (end === null || end > 0)) return `${start ?? 1}-${end ?? ''}`;
      return `${start ?? ''}:${end ?? ''}${step === 1 ? '' : `:${step}`}`;
    })
    .join(',');
}

/** The 1-based positions a selection picks from `count` entries, in playlist order, each once. */
export function selectItems(selection: ItemSelection, count: number): number[] {
  const at = (n: number) => (n < 0 ? count + 1 + n : n);
  const picked = selection.flatMap(({ start, end, step }) =>
    positions(at(start ?? (step > 0 ? 1 : -1)), at(end ?? (step > 0 ? -1 : 1)), step, count),
  );
  return [...new Set(picked)].sort((a, b) => a - b);
}

/** `from`, `from + step`… up to `to`, walking only positions 1…count (a range may reach far past them). */
function positions(from: number, to: number, step: number, count: number): number[] {
  const out: number[] = [];
  if (step > 0) {
    for (let p = from < 1 ? from + Math.ceil((1 - from) / step) * step : from; p <= Math.min(to, count); p += step)
      out.push(p);
  } else {
    for (let p = from > count ? from + Math.ceil((from - count) / -step) * step : from; p >= Math.max(to, 1); p += step)
      out.push(p);
  }
  return out;
}

function invalidItems(text: string, want: string): ConvertError {
  return new ConvertError('invalid_option', `The entry selection "${text}" is not valid: write ${want}.`, {
    field: 'items',
  });
}
