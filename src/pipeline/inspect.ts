/** Facts about a source without downloading its media: for `ytconv info` and the web page. */
import { localItem } from './item.ts';
import { joinArtists } from './multi-values.ts';
import { openSession } from './session.ts';
import type { Chapter, Engine, Source } from './types.ts';
import { extract, type PlaylistEntry } from './ytdlp.ts';

export interface SourceSummary {
  kind: 'media' | 'playlist';
  site: string;
  url: string | null;
  title: string;
  uploader: string | null;
  date: string | null;
  duration: number | null;
  thumbnail: string | null;
  chapters: Chapter[];
  /** Playlists only. */
  entries?: PlaylistEntry[];
}

/** `timeoutMs`: how long yt-dlp may take to read a link (its own default otherwise). */
export async function inspect(
  source: Source,
  engine: Engine,
  signal?: AbortSignal,
  timeoutMs?: number,
): Promise<SourceSummary> {
  if (source.kind === 'file') {
    const { facts, duration, chapters } = await localItem(engine.tools, source, signal);
    const { title, artists, date } = facts;
    return {
      kind: 'media',
      site: 'file',
      url: null,
      title,
      uploader: joinArtists(artists),
      date,
      duration,
      thumbnail: null,
      chapters,
    };
  }
  const session = await openSession(engine, source.site);
  let failure: unknown;
  try {
    const query = { formatSpec: 'bestaudio/best', maxEntries: engine.limits.maxPlaylistEntries, timeoutMs };
    const info = await extract(session.ytdlp, source.canonicalUrl, query, signal);
    session.checkSite(info.site);
    const common = { site: info.site, url: info.url || null, title: info.title, uploader: info.uploader };
    if (info.kind === 'playlist') {
      return {
        ...common,
        kind: 'playlist',
        date: null,
        duration: null,
        thumbnail: null,
        chapters: [],
        entries: info.entries,
      };
    }
    const { date, duration, thumbnail, chapters } = info;
    return { ...common, kind: 'media', date, duration, thumbnail, chapters };
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    await session.close(failure);
  }
}
