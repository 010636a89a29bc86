/** How numbers, times and addresses read on the page. Pure (no DOM), so it is unit-tested. */

/**
 * 215 → "3:35", 3725 → "1:02:05".
 * @param {number} seconds
 */
export function formatDuration(seconds) {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/**
 * "about 12 s left", coarser as the wait grows.
 * @param {number} seconds
 */
export function formatEta(seconds) {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `about ${s} s left`;
  if (s < 600) return `about ${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s left`;
  if (s < 3600) return `about ${Math.round(s / 60)} min left`;
  return `about ${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min left`;
}

/**
 * "MP3 · 192 kbps" from the measured bitrate in bits per second.
 * @param {string} format
 * @param {number} bitrate
 */
export function formatAudio(format, bitrate) {
  const name = format.toUpperCase();
  return bitrate ? `${name} · ${Math.round(bitrate / 1000)} kbps` : name;
}

const relativeTime = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** @type {[Intl.RelativeTimeFormatUnit, number][]} */
const AGO_UNITS = [
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
];

/**
 * "just now", "5 minutes ago", "yesterday"; empty for a date that can't be read.
 * @param {string} iso
 * @param {number} [now]
 */
export function formatAgo(iso, now = Date.now()) {
  const seconds = (Date.parse(iso) - now) / 1000;
  if (!Number.isFinite(seconds)) return '';
  if (seconds > -60) return 'just now';
  for (const [unit, size] of AGO_UNITS) {
    if (Math.abs(seconds) >= size) return relativeTime.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
});

/** @param {string} iso */
export function formatDateTime(iso) {
  return dateTimeFormat.format(new Date(iso));
}

/**
 * "https://www.youtube.com/watch?v=ID" → "youtube.com/watch?v=ID": the same link, easier to read.
 * @param {string} url
 */
export function shortUrl(url) {
  return url.replace(/^https?:\/\/(www\.)?/, '');
}

/**
 * "Trim 1:30–end".
 * @param {{ start: number | null, end: number | null }} trim
 */
export function trimLabel({ start, end }) {
  return `Trim ${formatDuration(start ?? 0)}–${end !== null && end !== undefined ? formatDuration(end) : 'end'}`;
}

/**
 * Whole seconds read best as m:ss; fractions stay exact as plain seconds.
 * @param {number} seconds
 */
export function trimValue(seconds) {
  return Number.isInteger(seconds) ? formatDuration(seconds) : String(seconds);
}

/**
 * The name of the site a link points to, as people know it.
 * @param {string | null} site
 */
export function siteName(site) {
  if (!site || site === 'generic') return 'Source';
  if (site.startsWith('youtube')) return 'YouTube';
  // yt-dlp's extractor names: `soundcloud:set` is SoundCloud's, as people know it by its site.
  const name = site.split(':')[0] ?? site;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * Playlist positions as a job's `items` (yt-dlp's `-I` syntax) in the server's canonical spelling:
 * runs collapsed into ranges, `[1, 2, 3, 7]` → "1-3,7"; every one of `count` entries → "" (all).
 * @param {readonly number[]} positions 1-based, ascending
 * @param {number} count
 */
export function itemsOfPositions(positions, count) {
  if (positions.length === count) return '';
  /** @type {[number, number][]} */
  const runs = [];
  for (const position of positions) {
    const last = runs.at(-1);
    if (last && position === last[1] + 1) last[1] = position;
    else runs.push([position, position]);
  }
  return runs.map(([from, to]) => (from === to ? String(from) : `${from}-${to}`)).join(',');
}
