/** Numbers as the admin's table shows them. */

export { formatBytes, formatClock } from '../../units.ts';

/** `2026-11-24 13:05 UTC`: the server cannot know the reader's time zone, so it names its own. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
