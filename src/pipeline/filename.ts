/**
 * File names from titles, bounded in length. Two forms: the name people see (in a download's
 * header, a ZIP, the API), which keeps a title's double quotes, and the name on disk, valid on
 * Linux, macOS and Windows (and SMB mounts), where `"` is not.
 */

const MAX_BYTES = 180;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * The stem (no extension) of the name people see; never empty, never a path. The double quote
 * stays: a browser saving a download adapts it for its own system, and a person expects the title
 * they know. The other characters Windows forbids still go: `/` and `\` would make a path (in a
 * ZIP too), and `:*?<>|` rarely carry meaning in a title and trip over tools that unpack archives.
 */
export function nameStem(title: string, fallback = 'audio'): string {
  let stem = title
    .normalize('NFC')
    // Separators, Windows-reserved punctuation except `"`, and control characters become spaces.
    .replace(/[/\\:*?<>|\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    // Leading dots hide files; trailing dots and spaces are dropped by Windows.
    .replace(/^[.\s]+|[.\s]+$/g, '');
  stem = truncateUtf8(stem, MAX_BYTES).replace(/[.\s]+$/, '');
  if (stem === '' || WINDOWS_RESERVED.test(stem)) return stem === '' ? fallback : `${stem}_`;
  return stem;
}

/** The stem on disk for a name's stem: Windows forbids `"`, so it becomes `'` (as yt-dlp does). */
export function diskStem(stem: string): string {
  return stem.replaceAll('"', "'");
}

/** A file name stem valid on every system, made from a title; never empty, never a path. */
export function safeStem(title: string, fallback = 'audio'): string {
  return diskStem(nameStem(title, fallback));
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

/** `NN - Title` for numbered items (playlist entries, chapters), zero-padded to the count's width; a name's stem. */
export function numberedStem(index: number, count: number, title: string): string {
  const width = Math.max(2, String(count).length);
  return nameStem(`${String(index).padStart(width, '0')} - ${title}`);
}
