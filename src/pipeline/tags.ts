/**
 * What to write into a file's tags, decided from the source's facts, and the FFMETADATA text
 * that hands tags and chapters to ffmpeg (a file, so no value ever meets an argv length limit).
 */
import type { Chapter } from './types.ts';

export interface Tags {
  title: string;
  artist?: string;
  album?: string;
  /** YYYY-MM-DD or YYYY. */
  date?: string;
  track?: { index: number; count: number };
  /** Where the audio came from (the source URL). */
  comment?: string;
}

export interface SourceFacts {
  title: string;
  uploader: string | null;
  artist: string | null;
  track: string | null;
  album: string | null;
  date: string | null;
  url: string | null;
}

/** Tags for one output file; `group` is the playlist or the chapter split it belongs to. */
export function tagsFor(
  facts: SourceFacts,
  group?: { album: string; index: number; count: number; title?: string },
): Tags {
  const split = splitArtistTitle(facts.title);
  const title = group?.title ?? facts.track ?? split?.title ?? facts.title;
  const tags: Tags = { title };
  const artist = facts.artist ?? split?.artist ?? cleanUploader(facts.uploader);
  const album = group?.album ?? facts.album;
  if (artist) tags.artist = artist;
  if (album) tags.album = album;
  if (facts.date) tags.date = facts.date;
  if (group) tags.track = { index: group.index, count: group.count };
  if (facts.url) tags.comment = facts.url;
  return tags;
}

/** "Artist - Title" (with a hyphen or dash between spaces) as its two parts, else null. */
export function splitArtistTitle(title: string): { artist: string; title: string } | null {
  const m = /^(.+?)\s+[-–—]\s+(.+)$/u.exec(title.trim());
  if (!m?.[1] || !m[2]) return null;
  return { artist: m[1].trim(), title: m[2].trim() };
}

/** YouTube's auto-generated music channels are named "Artist - Topic". */
function cleanUploader(uploader: string | null): string | null {
  return uploader?.replace(/\s+-\s+Topic$/u, '').trim() || null;
}

/** yt-dlp's `upload_date` (YYYYMMDD) as YYYY-MM-DD. */
export function isoDate(uploadDate: unknown): string | null {
  if (typeof uploadDate !== 'string') return null;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(uploadDate);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/** The FFMETADATA1 document: global tags, extra raw tags, then chapters in milliseconds. */
export function ffmetadata(tags: Tags, chapters: readonly Chapter[], extra: Record<string, string> = {}): string {
  const lines = [';FFMETADATA1'];
  const fields: Record<string, string | undefined> = {
    title: tags.title,
    artist: tags.artist,
    album_artist: tags.album ? tags.artist : undefined,
    album: tags.album,
    date: tags.date,
    track: tags.track ? `${tags.track.index}/${tags.track.count}` : undefined,
    comment: tags.comment,
    ...extra,
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) lines.push(`${key}=${escapeValue(value)}`);
  }
  for (const ch of chapters) {
    lines.push('[CHAPTER]', 'TIMEBASE=1/1000', `START=${Math.round(ch.start * 1000)}`);
    lines.push(`END=${Math.round(ch.end * 1000)}`, `title=${escapeValue(ch.title)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** FFMETADATA reserves `=`, `;`, `#`, `\` and newlines; each is escaped with a backslash. */
function escapeValue(value: string): string {
  return value.replace(/[=;#\\\n]/g, (c) => `\\${c}`);
}

/** Chapters that fall within [start, end), shifted so that `start` becomes 0. */
export function chaptersWithin(chapters: readonly Chapter[], start: number, end: number): Chapter[] {
  return chapters
    .filter((ch) => ch.end > start && ch.start < end)
    .map((ch) => ({ title: ch.title, start: Math.max(ch.start, start) - start, end: Math.min(ch.end, end) - start }));
}
