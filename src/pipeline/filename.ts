/** Safe file names from titles: valid on Linux, macOS and Windows, bounded in length. */

const MAX_BYTES = 180;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/** A file name stem (no extension) made from a title; never empty, never a path. */
export function safeStem(title: string, fallback = 'audio'): string {
  let stem = title
    .normalize('NFC')
    // Windows forbids the double quote; the single one keeps a quoted title readable (as yt-dlp does).
    .replaceAll('"', "'")
    // Separators, other Windows-reserved punctuation and control characters become spaces.
    .replace(/[/\\:*?<>|\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    // Leading dots hide files; trailing dots and spaces are dropped by Windows.
    .replace(/^[.\s]+|[.\s]+$/g, '');
  stem = truncateUtf8(stem, MAX_BYTES).replace(/[.\s]+$/, '');
  if (stem === '' || WINDOWS_RESERVED.test(stem)) return stem === '' ? fallback : `${stem}_`;
  return stem;
}

/** Cut to at most `max` UTF-8 bytes without splitting a character. */
function truncateUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    bytes += Buffer.byteLength(ch);
    if (bytes > max) break;
    out += ch;
  }
  return out;
}

/** `NN - Title` for numbered items (playlist entries, chapters), zero-padded to the count's width. */
export function numberedStem(index: number, count: number, title: string): string {
  const width = Math.max(2, String(count).length);
  return safeStem(`${String(index).padStart(width, '0')} - ${title}`);
}
