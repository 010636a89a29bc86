/**
 * A quick look at a link before a job exists, for the page's entry picker: the same door as a new
 * job's link (syntax, allowed site, address guard), then one flat extract.
 *
 * The cost: this runs yt-dlp from the web process. The site check reuses the warm helper of
 * extractors.ts (no network); the extract itself is a yt-dlp process of its own (0.3–0.6 s to start,
 * then the site's answer), since the web process keeps no warm yt-dlp: a worker's is leased per job
 * and forks per call, which a web process has no jobs to amortise. So each look is bounded: a
 * playlist is listed flat and no further than YTCONV_MAX_PLAYLIST_ENTRIES (a longer one is refused
 * as it would be converted), the extract has a time limit well under a conversion's, the client's
 * going away ends it, and the route limits looks per client (YTCONV_INSPECT_RATE).
 */
import { inspect, type SourceSummary } from '../pipeline/inspect.ts';
import { type ItemSelection, parseItems, selectItems } from '../pipeline/items.ts';
import type { Engine } from '../pipeline/types.ts';
import { checkLink, type DoorChecks, doorChecks } from './request.ts';
import type { LinkPreview, LinkQuery } from './types.ts';

/** A person is waiting for the list: past this the site is too slow to choose from (`network`). */
const PREVIEW_TIMEOUT_MS = 20_000;

export async function previewLink(
  engine: Engine,
  query: LinkQuery,
  signal?: AbortSignal,
  checks: DoorChecks = doorChecks(engine),
): Promise<LinkPreview> {
  // A selection that cannot be read is refused before anything is fetched, as a job's would be.
  const items = query.items?.trim() ? parseItems(query.items) : null;
  const source = await checkLink(query.url, engine, checks);
  return toPreview(await inspect(source, engine, signal, PREVIEW_TIMEOUT_MS), items);
}

function toPreview(summary: SourceSummary, items: ItemSelection | null): LinkPreview {
  const { title, duration } = summary;
  if (summary.kind === 'media') return { kind: 'media', title, duration };
  const listed = summary.entries ?? [];
  const chosen = new Set(items ? selectItems(items, listed.length) : listed.map((_, i) => i + 1));
  const entries = listed.map((entry, i) => ({
    position: i + 1,
    title: entry.title,
    duration: entry.duration,
    chosen: chosen.has(i + 1),
  }));
  return { kind: 'playlist', title, count: entries.length, entries };
}
