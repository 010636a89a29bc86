/** The cookies pool as `ytconv admin cookies` and `ytconv doctor` print it. */
import type { CookiesStatus } from '../jobs/cookies-pool.ts';
import { formatTime } from '../web/admin/format.ts';

/** One line per file, for `ytconv admin cookies` and `ytconv doctor`. */
export function cookiesLines(pool: readonly CookiesStatus[]): string[] {
  return pool.map((c) => {
    const used = c.lastUsedAt === null ? 'never used' : `last used ${formatTime(c.lastUsedAt)}, ${c.uses} jobs`;
    if (c.setAside === null) return `${c.name}: in use (${used})`;
    const until = c.setAside.until === null ? 'until put back' : `until ${formatTime(c.setAside.until)}`;
    return `${c.name}: SET ASIDE since ${formatTime(c.setAside.since)} after a bot wall, ${until} (${used})`;
  });
}
