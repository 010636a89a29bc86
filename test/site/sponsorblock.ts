/**
 * The stand-in site's SponsorBlock-like API, answering as sponsor.ajay.app does: by the first
 * characters of the SHA-256 of a video id (so the server never learns which video is asked about),
 * every video with that prefix and its segments in the asked categories; 404 when none. Under
 * `/faulty-500/` and `/faulty-garbage/` the same path fails, for tests of an API that is broken.
 */
import { createHash } from 'node:crypto';
import type { Video } from './catalog.ts';

export const SPONSORBLOCK_PATH = /^(?:\/faulty-(500|garbage))?\/api\/skipSegments\/([0-9a-f]{4,64})$/;

/** An answer: its status, content type and body. */
type Answer = readonly [number, string, string];

export function skipSegments(url: URL, videos: Iterable<Video>, [fault, prefix]: (string | undefined)[]): Answer {
  if (fault === '500') return [500, 'text/plain', 'Internal Server Error'];
  if (fault === 'garbage') return [200, 'application/json', '<html>not json'];
  const categories = listParam(url, 'categories') ?? ['sponsor'];
  const actions = listParam(url, 'actionTypes') ?? ['skip'];
  const found = [...videos].flatMap((video) => {
    const hash = createHash('sha256').update(video.id).digest('hex');
    if (!hash.startsWith(prefix ?? '')) return [];
    const segments = (video.sponsorSegments ?? [])
      .filter((s) => categories.includes(s.category) && actions.includes('skip'))
      .map((s, i) => ({
        category: s.category,
        actionType: 'skip',
        segment: [s.start, s.end],
        UUID: `${video.id}-${i}`,
        videoDuration: video.duration,
        locked: 1,
        votes: 10,
        description: '',
      }));
    return segments.length > 0 ? [{ videoID: video.id, hash, segments }] : [];
  });
  return found.length === 0 ? [404, 'text/plain', 'Not Found'] : [200, 'application/json', JSON.stringify(found)];
}

/** A JSON list parameter (`categories=["sponsor","intro"]`), as the API takes it. */
function listParam(url: URL, name: string): string[] | null {
  const value = url.searchParams.get(name);
  if (value === null) return null;
  try {
    const list: unknown = JSON.parse(value);
    return Array.isArray(list) ? list.map(String) : null;
  } catch {
    return null;
  }
}
