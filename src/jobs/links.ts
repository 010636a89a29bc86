/**
 * The links in pasted text: one per line (with or without a scheme, as a single link may be
 * written), or inside prose (only `http(s)://…` there, without the punctuation that ends a
 * sentence). Each once, in the order found; what they are is decided by the usual checks.
 */

/** Most links one submission may hold: the most a page can show together (GET /api/jobs?ids=). */
export { MAX_LISTED_JOBS as MAX_BATCH_LINKS } from './types.ts';

const IN_PROSE = /https?:\/\/[^\s<>"'`]+/gi;

export function linksIn(text: string): string[] {
  const found = text.split(/\r?\n/).flatMap((line) => {
    const trimmed = line.trim();
    if (trimmed === '') return [];
    if (!/\s/.test(trimmed)) return [trimProse(trimmed)];
    return [...trimmed.matchAll(IN_PROSE)].map((m) => trimProse(m[0]));
  });
  return [...new Set(found.filter((link) => link !== ''))];
}

/** A sentence's end is not part of a link; a closing bracket is, when the link opened one. */
function trimProse(link: string): string {
  let out = link.replace(/[.,;:!?]+$/, '');
  for (const [open, close] of [
    ['(', ')'],
    ['[', ']'],
  ] as const) {
    while (out.endsWith(close) && out.split(close).length > out.split(open).length) {
      out = out.slice(0, -1).replace(/[.,;:!?]+$/, '');
    }
  }
  return out;
}
