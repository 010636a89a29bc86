/**
 * `Content-Disposition: attachment` for a file name in any script (RFC 6266, with the RFC 8187
 * `filename*` form). Old clients read the ASCII `filename`; every current browser prefers
 * `filename*`, which carries the exact UTF-8 name.
 */

export function attachment(name: string): string {
  // Control characters would break the header; path separators browsers would replace anyway.
  const clean = name.toWellFormed().replace(/[\p{Cc}/\\]/gu, '_');
  const fallback = asciiFallback(clean);
  // RFC 6266 appendix D: some clients percent-decode `filename`, so a `%` needs the exact form too.
  if (fallback === clean && !clean.includes('%')) return `attachment; filename="${clean}"`;
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeAttrValue(clean)}`;
}

/**
 * Printable ASCII close to the name: accents dropped (Café → Cafe), full-width letters folded,
 * anything else one `_` per character. Quotes become apostrophes because escaping them inside the
 * quoted string is not implemented by every client (RFC 6266 appendix D).
 */
function asciiFallback(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\u0020-\u007e]/gu, '_')
    .replaceAll('"', "'");
}

/** RFC 8187 value: UTF-8, percent-encoded except `attr-char` (which excludes `'()*`). */
function encodeAttrValue(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
