/**
 * What a "download all" ZIP holds, for one job or several: a playlist's files in a folder named
 * after it (`Album/NN - Title.ext`) with its M3U8 (`Album/Album.m3u8`) listing exactly the files
 * this requester got; other files at the top. Names already taken in the archive (two jobs of the
 * same title) get ` (2)`, as files on disk do.
 */
import { extname } from 'node:path';
import { albumStem, m3u8 } from '../pipeline/m3u8.ts';
import type { Downloads, StoredFile } from './types.ts';

/** A stored file, or a text made for the archive, under its name there (`/` between folders). */
export type ArchiveEntry = { name: string; path: string } | { name: string; text: string };

export function archiveEntries(jobs: readonly Downloads[]): ArchiveEntry[] {
  const taken = new Set<string>();
  return jobs.flatMap((d) => {
    if (d.files.length === 0) return [];
    if (d.job.entries === undefined) return d.files.map((f) => ({ name: unique(f.name, taken), path: f.path }));
    const folder = unique(albumStem(d.job.title ?? ''), taken);
    const inFolder = new Set<string>();
    const files = d.files.map((f) => ({ file: f, name: unique(f.name, inFolder) }));
    const playlist = m3u8(files.map(({ file, name }) => track(file, name)));
    return [
      ...files.map(({ file, name }) => ({ name: `${folder}/${name}`, path: file.path })),
      { name: `${folder}/${unique(`${folder}.m3u8`, inFolder)}`, text: playlist },
    ];
  });
}

function track(file: StoredFile, name: string) {
  const title = file.title ?? name.slice(0, -extname(name).length);
  return { path: name, duration: file.duration, title, artist: file.artist };
}

/** `name`, or `stem (2).ext`… when the archive (or the folder) already has it; then taken. */
function unique(name: string, taken: Set<string>): string {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  let candidate = name;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}
