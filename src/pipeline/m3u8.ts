/**
 * A playlist's M3U8: UTF-8, one `#EXTINF:seconds,Artist - Title` line and one relative path per
 * file, as players read it. Built by one pure function for the CLI's album folder and the
 * service's ZIP alike; the album's folder and file are named after the playlist like any file.
 */
import { nameStem } from './filename.ts';

export interface M3uTrack {
  /** Relative to the M3U8, with `/` between folders. */
  path: string;
  duration: number;
  title: string;
  artist: string | null;
}

export function m3u8(tracks: readonly M3uTrack[]): string {
  const lines = ['#EXTM3U'];
  for (const t of tracks) {
    // A line break in a title would end the line early and make the rest a path.
    const label = (t.artist ? `${t.artist} - ${t.title}` : t.title).replace(/[\r\n]+/g, ' ');
    lines.push(`#EXTINF:${Math.round(t.duration)},${label}`, t.path);
  }
  return `${lines.join('\n')}\n`;
}

/** The stem of the album's folder and of its M3U8, as people see it (see filename.ts for the disk's). */
export function albumStem(playlistTitle: string): string {
  return nameStem(playlistTitle, 'Playlist');
}
