/**
 * The operator's cookies files as jobs use them. yt-dlp writes the cookies it holds back into the
 * file given to `--cookies` when it exits, so each job gets a private copy: concurrent jobs (and a
 * yt-dlp killed mid-write) can never damage the pool's files, which ytconv only ever reads.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CookiesPool } from './types.ts';

/** A cookies file lent to one job: the pool's file, and the copy yt-dlp is given. */
export interface LentCookies {
  file: string;
  copy: string;
}

/** Take a file from the pool and copy it into the job's work directory; null when none is free. */
export async function lendCookies(pool: CookiesPool | null, workDir: string): Promise<LentCookies | null> {
  const file = (await pool?.take()) ?? null;
  if (file === null) return null;
  const copy = join(workDir, 'cookies.txt');
  await copyFile(file, copy);
  return { file, copy };
}

/**
 * A pool kept in this process's memory (the CLI, and tests): least recently used first, a file
 * set aside comes back after `setAsideSec`.
 */
export function memoryCookiesPool(files: readonly string[], setAsideSec: number | null): CookiesPool {
  const lastUsed = new Map(files.map((file, i) => [file, i - files.length]));
  const asideUntil = new Map<string, number>();
  let turn = 0;
  return {
    files,
    setAsideSec,
    async take() {
      const free = files.filter((file) => (asideUntil.get(file) ?? 0) <= Date.now());
      const file = free.sort((a, b) => (lastUsed.get(a) ?? 0) - (lastUsed.get(b) ?? 0))[0] ?? null;
      if (file !== null) lastUsed.set(file, ++turn);
      return file;
    },
    async setAside(file) {
      asideUntil.set(file, setAsideSec === null ? Number.POSITIVE_INFINITY : Date.now() + setAsideSec * 1000);
    },
  };
}
