/**
 * The CLI's way with a playlist: its files in a folder named after it, with an M3U8 beside them
 * listing the entries that were converted: also those done before a failure or a cancel, which
 * stay (see playlist.ts).
 */
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { diskStem } from './filename.ts';
import { albumStem, m3u8 } from './m3u8.ts';
import { type ChosenEntry, convertPlaylist, type PlaylistContext } from './playlist.ts';
import { place } from './publish.ts';
import type { OutputFile } from './types.ts';
import type { PlaylistInfo } from './ytdlp.ts';

export async function convertAlbum(
  info: PlaylistInfo,
  entries: readonly ChosenEntry[],
  ctx: PlaylistContext,
): Promise<OutputFile[]> {
  const stem = diskStem(albumStem(info.title));
  const outDir = join(ctx.outDir, stem);
  const done: OutputFile[] = [];
  const onEntry: PlaylistContext['onEntry'] = (report) => {
    if (report.status === 'done') done.push(...report.files);
    ctx.onEntry?.(report);
  };
  try {
    return await convertPlaylist(info, entries, { ...ctx, outDir, onEntry });
  } finally {
    if (done.length > 0) await writePlaylistFile(done, stem, outDir, ctx.dir);
  }
}

/** Written in the work directory, then moved in beside the files (never over an existing one). */
async function writePlaylistFile(files: readonly OutputFile[], stem: string, outDir: string, workDir: string) {
  const staged = join(workDir, 'playlist.m3u8');
  await writeFile(staged, m3u8(files.map((f) => ({ ...f, path: basename(f.path) }))));
  await place(staged, outDir, stem, 'm3u8');
}
