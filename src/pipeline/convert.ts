/**
 * The engine's one entry point: a checked source and options in, tagged audio files out.
 * Everything happens in a private work directory; files are moved into the output directory only
 * when their item has succeeded, so a failure or a cancel leaves no partial file behind. A
 * playlist's finished entries are published (and reported through `onEntry`) one by one and stay.
 */
import { rm } from 'node:fs/promises';
import { asConvertError } from '../errors.ts';
import { convertAlbum } from './album.ts';
import { type ItemContext, localItem, type Made, produceItem, remoteItem } from './item.ts';
import { makeWorkDir } from './leftovers.ts';
import { validateOptions } from './options.ts';
import { type ChosenEntry, cancelled, chooseEntries, convertPlaylist, type EntryReport } from './playlist.ts';
import { ProgressReporter } from './progress.ts';
import { publish } from './publish.ts';
import { openSession, type Session } from './session.ts';
import type { ConvertOptions, Engine, OutputFile, Progress, Source } from './types.ts';
import { extract } from './ytdlp.ts';

export type { EntryReport } from './playlist.ts';

export interface ConvertContext {
  engine: Engine;
  /** Where the finished files go. */
  outDir: string;
  onProgress?: (p: Progress) => void;
  /** Called once what the source is becomes known, before any media is downloaded. */
  onInfo?: (info: SourceInfo) => void;
  /** Playlists: each entry as it starts and ends, in order. */
  onEntry?: (report: EntryReport) => void;
  /**
   * Called with each item's square cover as soon as it is made, while the audio is still being
   * made. The file is in the work directory, which goes away with the conversion: copy it to keep it.
   */
  onCover?: (path: string) => Promise<void>;
  /**
   * A playlist's files go into a folder named after it, with an M3U8 (album.ts): for the CLI. The
   * service keeps them flat and lays out its ZIP from the database (what each requester got).
   */
  albumFolder?: boolean;
  signal?: AbortSignal;
}

export interface SourceInfo {
  title: string;
  duration: number | null;
  thumbnail: string | null;
  site: string;
  /** The site's id for the video or playlist (null for local files). */
  id: string | null;
  /** Playlists: the entries to convert, in order, titled from the first (flat) listing. */
  entries?: ChosenEntry[];
}

export interface ConvertResult {
  files: OutputFile[];
}

export async function convert(source: Source, options: ConvertOptions, ctx: ConvertContext): Promise<ConvertResult> {
  validateOptions(options);
  const reporter = new ProgressReporter(ctx.onProgress);
  const work = await makeWorkDir(ctx.engine.tmpDir);
  let session: Session | null = null;
  let failure: unknown;
  try {
    reporter.update('probing', null);
    const itemCtx = { engine: ctx.engine, options, reporter, onCover: ctx.onCover, signal: ctx.signal, dir: work };
    if (source.kind === 'file') {
      const item = await localItem(ctx.engine.tools, source, ctx.signal);
      ctx.onInfo?.({ title: item.facts.title, duration: item.duration, thumbnail: null, site: 'file', id: null });
      return { files: await publishItem(await produceItem(item, itemCtx), ctx, options) };
    }
    session = await openSession(ctx.engine, source.site);
    return { files: await convertUrl(source.canonicalUrl, session, itemCtx, ctx) };
  } catch (err) {
    failure = err;
    throw ctx.signal?.aborted ? cancelled() : asConvertError(err);
  } finally {
    reporter.stop();
    await session?.close(failure);
    await rm(work, { recursive: true, force: true, maxRetries: 2 });
  }
}

function publishItem(made: Made[], ctx: ConvertContext, options: ConvertOptions) {
  return publish(made, ctx.outDir, options.format, ctx.engine.tools);
}

async function convertUrl(url: string, session: Session, itemCtx: ItemContext, ctx: ConvertContext) {
  const query = { formatSpec: formatSpec(itemCtx.options), maxEntries: ctx.engine.limits.maxPlaylistEntries };
  const info = await extract(session.ytdlp, url, query, ctx.signal);
  session.checkSite(info.site);
  const media = info.kind === 'media';
  const entries = media ? [] : chooseEntries(info, itemCtx.options.items);
  ctx.onInfo?.({
    title: info.title,
    duration: media ? info.duration : null,
    thumbnail: media ? info.thumbnail : null,
    site: info.site,
    id: info.id || null,
    ...(media ? {} : { entries }),
  });
  if (info.kind === 'playlist') {
    const playlistCtx = { ...itemCtx, session, query, outDir: ctx.outDir, onEntry: ctx.onEntry };
    return (ctx.albumFolder ? convertAlbum : convertPlaylist)(info, entries, playlistCtx);
  }
  return publishItem(await produceItem(remoteItem(info, session.ytdlp), itemCtx), ctx, itemCtx.options);
}

/** Prefer a source already in the target codec, so that it can be copied instead of re-encoded. */
export function formatSpec(options: ConvertOptions): string {
  const reencode =
    options.quality !== undefined || options.normalize || options.start !== undefined || options.end !== undefined;
  const codec = { mp3: 'mp3', m4a: 'mp4a', opus: 'opus', ogg: 'vorbis', flac: 'flac', wav: null }[options.format];
  return reencode || codec === null ? 'bestaudio/best' : `bestaudio[acodec^=${codec}]/bestaudio/best`;
}
