/**
 * What to write into a file's tags, decided from the source's facts, and the FFMETADATA text
 * that hands tags and chapters to ffmpeg (a file, so no value ever meets an argv length limit).
 */
import { joinArtists, multiValue } from './multi-values.ts';
import type { AudioFormat, Chapter } from './types.ts';

export interface Tags {
  title: string;
  /** Several where the site names several: written as several values where the format can hold them. */
  artists: string[];
  album?: string;
  /** One value per album, so that players group its files as one. */
  albumArtist?: string;
  /** YYYY-MM-DD or YYYY. */
  date?: string;
  track?: Position;
  disc?: Position;
  /** Where the audio came from (the source URL). */
  comment?: string;
}

/** n of N. */
export interface Position {
  index: number;
  count: number;
}

export interface SourceFacts {
  title: string;
  uploader: string | null;
  /** The site's own artists (yt-dlp's `artists`, or its older comma-joined `artist`); empty when it names none. */
  artists: string[];
  track: string | null;
  album: string | null;
  /** The release date when the site knows it, else the upload date. */
  date: string | null;
  url: string | null;
}

/** The album a file belongs to: the playlist, or the video a chapter split comes from. */
export interface Group extends Position {
  album: string;
  albumArtist: string | null;
  /** A chapter's title, for a chapter split. */
  title?: string;
}

/** What a player shows as the album artist of an album whose files are by more than one. */
export const VARIOUS_ARTISTS = 'Various Artists';

/** Tags for one output file; `group` is the playlist or the chapter split it belongs to. */
export function tagsFor(facts: SourceFacts, group?: Group): Tags {
  const { artists, title } = artistsAndTitle(facts);
  const tags: Tags = { title: group?.title ?? title, artists };
  const album = group?.album ?? facts.album;
  if (album) tags.album = album;
  const albumArtist = group ? group.albumArtist : album ? joinArtists(artists) : null;
  if (albumArtist) tags.albumArtist = albumArtist;
  if (facts.date) tags.date = facts.date;
  if (group) {
    tags.track = { index: group.index, count: group.count };
    tags.disc = { index: 1, count: 1 };
  }
  if (facts.url) tags.comment = facts.url;
  return tags;
}

/**
 * Who and what: the site's artists and track when it names them; on a "Artist - Topic" channel
 * (YouTube's auto-generated music channels) the channel and the whole title, which may itself hold
 * " - " ("Song - Remastered"); else the "Artist - Title" of a title, else the channel.
 */
function artistsAndTitle(facts: SourceFacts): { artists: string[]; title: string } {
  const topic = topicArtist(facts.uploader);
  const split = topic ? null : splitArtistTitle(facts.title);
  const title = facts.track ?? split?.title ?? facts.title;
  if (facts.artists.length > 0) return { artists: facts.artists, title };
  const artist = topic ?? split?.artist ?? facts.uploader;
  return { artists: artist ? [artist] : [], title };
}

/** "Artist - Title" (with a hyphen or dash between spaces) as its two parts, else null. */
export function splitArtistTitle(title: string): { artist: string; title: string } | null {
  const m = /^(.+?)\s+[-–—]\s+(.+)$/u.exec(title.trim());
  if (!m?.[1] || !m[2]) return null;
  return { artist: m[1].trim(), title: m[2].trim() };
}

/** The artist of YouTube's auto-generated music channels, named "Artist - Topic"; null for any other channel. */
export function topicArtist(uploader: string | null): string | null {
  return /^(.+?)\s+-\s+Topic$/u.exec(uploader?.trim() ?? '')?.[1]?.trim() ?? null;
}

/**
 * The artist a playlist entry seems to be by, from the playlist's flat listing (title and
 * channel: all there is before the entry is extracted), for the album artist.
 */
export function listedArtist(entry: { title: string | null; uploader: string | null }): string | null {
  return topicArtist(entry.uploader) ?? (entry.title ? splitArtistTitle(entry.title)?.artist : null) ?? entry.uploader;
}

/** One album artist for a playlist: the one artist of all its entries, or "Various Artists". */
export function playlistAlbumArtist(artists: readonly (string | null)[]): string | null {
  const known = new Set(artists.filter((a) => a !== null).map((a) => a.toLowerCase()));
  if (known.size > 1) return VARIOUS_ARTISTS;
  return artists.find((a) => a !== null) ?? null;
}

/** yt-dlp's `upload_date` (YYYYMMDD) as YYYY-MM-DD. */
export function isoDate(uploadDate: unknown): string | null {
  if (typeof uploadDate !== 'string') return null;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(uploadDate);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/**
 * The FFMETADATA1 document: global tags, extra raw tags, then chapters in milliseconds. Several
 * artists go in as the format's placeholder for several values (see multi-values.ts).
 */
export function ffmetadata(
  tags: Tags,
  chapters: readonly Chapter[],
  format: AudioFormat,
  extra: Record<string, string> = {},
): string {
  const lines = [';FFMETADATA1'];
  const fields: Record<string, string | undefined> = {
    title: tags.title,
    artist: multiValue(format, tags.artists),
    album_artist: tags.albumArtist,
    album: tags.album,
    date: tags.date,
    track: position(tags.track),
    disc: position(tags.disc),
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

function position(p: Position | undefined): string | undefined {
  return p ? `${p.index}/${p.count}` : undefined;
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
