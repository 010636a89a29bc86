/**
 * A playlist, entry by entry. Each entry is identified by its 1-based position (the same video may
 * appear twice) and reported through `onEntry` as it starts and ends. A finished entry's files are
 * published at once: they belong to the caller from then on, even if the playlist is cancelled or
 * fails later, so that nothing already done has to be thrown away.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { asConvertError, ConvertError, type ErrorCode } from '../errors.ts';
import { writeAlbumGain } from './gain-files.ts';
import { type ItemContext, produceItem, remoteItem } from './item.ts';
import { formatItems, type ItemSelection, selectItems } from './items.ts';
import { publish } from './publish.ts';
import type { Blocks } from './replaygain.ts';
import type { Session } from './session.ts';
import { type Group, listedArtist, type Position, playlistAlbumArtist } from './tags.ts';
import type { OutputFile } from './types.ts';
import { extract, type PlaylistEntry, type PlaylistInfo, type Query } from './ytdlp.ts';

export type EntryError = { code: ErrorCode; message: string };

/** What became of one playlist entry: started, or ended in one of four ways. */
export type EntryReport = { index: number; title: string | null } & (
  | { status: 'running' }
  | { status: 'done'; files: OutputFile[] }
  /** It could not be converted (private, removed, too long…); the playlist goes on. */
  | { status: 'failed'; error: EntryError }
  /** Under way when the playlist was cancelled. */
  | { status: 'cancelled'; error: EntryError }
  /** Never finished because the whole playlist stopped (cancelled, or a failure no entry can skip). */
  | { status: 'skipped'; error: EntryError }
);

/** Entry errors that fail one playlist entry instead of the whole playlist. */
const SKIPPABLE: ReadonlySet<ErrorCode> = new Set([
  'unavailable',
  'sign_in_required',
  'too_long',
  'too_large',
  'no_audio',
  'corrupt_media',
  'unsupported_site',
]);

export interface PlaylistContext extends ItemContext {
  session: Session;
  query: Query;
  outDir: string;
  onEntry?: (report: EntryReport) => void;
}

/** An entry chosen for converting, with its 1-based position in the whole playlist. */
export interface ChosenEntry extends PlaylistEntry {
  position: number;
}

/** The entries `items` picks (all without it), refused when it picks none: before anything is converted. */
export function chooseEntries(info: PlaylistInfo, items: ItemSelection | undefined): ChosenEntry[] {
  const count = info.entries.length;
  if (count === 0) throw new ConvertError('unavailable', 'This playlist has no videos.');
  const all = info.entries.map((entry, i) => ({ ...entry, position: i + 1 }));
  if (items === undefined) return all;
  const chosen = selectItems(items, count).map((position) => all[position - 1] as ChosenEntry);
  if (chosen.length === 0) {
    const text = formatItems(items);
    throw new ConvertError('invalid_option', `The selection ${text} picks none of this playlist's ${count} entries.`, {
      field: 'items',
    });
  }
  return chosen;
}

/**
 * Converts the chosen entries one by one. Reports number them 1… in the order converted; files
 * are numbered and tagged with their position in the whole playlist, so a selection keeps the
 * album's track numbers.
 */
export async function convertPlaylist(
  info: PlaylistInfo,
  entries: readonly ChosenEntry[],
  ctx: PlaylistContext,
): Promise<OutputFile[]> {
  const report = ctx.onEntry ?? (() => {});
  // Decided once from the listing, so that every entry's file names the same album artist.
  const albumArtist = playlistAlbumArtist(info.entries.map(listedArtist));
  const files: OutputFile[] = [];
  /** ReplayGain: the entries' files whose album gain waits for the last entry. */
  const album: { path: string; blocks: Blocks }[] = [];
  let firstFailure: EntryError | null = null;
  const track = { album: info.title, albumArtist, count: info.entries.length };
  for (const [i, entry] of entries.entries()) {
    const index = i + 1;
    const title = entry.title;
    report({ index, title, status: 'running' });
    try {
      const { files: entryFiles, loudness } = await convertEntry(
        entry,
        { ...track, index: entry.position },
        { index, count: entries.length },
        ctx,
      );
      files.push(...entryFiles);
      album.push(
        ...loudness.flatMap((blocks, j) => (blocks ? [{ path: (entryFiles[j] as OutputFile).path, blocks }] : [])),
      );
      report({ index, title, status: 'done', files: entryFiles });
    } catch (err) {
      const e = ctx.signal?.aborted ? cancelled() : asConvertError(err);
      if (SKIPPABLE.has(e.code)) {
        report({ index, title, status: 'failed', error: e.toJSON() });
        firstFailure ??= e.toJSON();
        continue;
      }
      report({ index, title, status: e.code === 'cancelled' ? 'cancelled' : 'failed', error: e.toJSON() });
      for (const [j, rest] of entries.slice(index).entries())
        report({ index: index + j + 1, title: rest.title, status: 'skipped', error: e.toJSON() });
      throw e;
    }
  }
  if (files.length === 0 && firstFailure) throw new ConvertError(firstFailure.code, firstFailure.message);
  // In place: the files' sizes, already reported, stay true.
  await writeAlbumGain(ctx.options.format, album);
  return files;
}

export function cancelled(): ConvertError {
  return new ConvertError('cancelled', 'The conversion was cancelled.');
}

/** `playlist` places the entry in the album; `run` in this conversion's own count, for progress. */
async function convertEntry(
  entry: PlaylistEntry,
  playlist: Group,
  run: Position,
  ctx: PlaylistContext,
): Promise<{ files: OutputFile[]; loudness: (Blocks | null)[] }> {
  ctx.reporter.setItem({ ...run, title: entry.title ?? undefined });
  ctx.reporter.update('probing', null);
  const info = await extract(ctx.session.ytdlp, entry.url, ctx.query, ctx.signal);
  if (info.kind !== 'media') throw new ConvertError('unsupported_site', 'Nested playlists are not supported.');
  ctx.session.checkSite(info.site);
  const item = { ...remoteItem(info, ctx.session.ytdlp), playlist };
  const dir = await mkdtemp(join(ctx.dir, 'entry-'));
  const made = await produceItem(item, { ...ctx, dir });
  const files = await publish(made, ctx.outDir, ctx.options.format, ctx.engine.tools);
  return { files, loudness: made.map((m) => m.loudness) };
}
