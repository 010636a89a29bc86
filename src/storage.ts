/**
 * Where finished audio lives: one directory per conversion under the storage root (a local disk,
 * or a mount shared by every web and worker machine), with one subdirectory per worker's take of
 * it. Paths in the database are relative to the root, so the root can move.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';

export interface Storage {
  readonly root: string;
  /** The directory of a conversion's files. */
  conversionDir(conversionId: string): string;
  /** Where uploads wait until a worker has converted them. */
  uploadDir(): string;
  /** A stored relative path as an absolute one; refuses paths that leave the root. */
  resolve(relativePath: string): string;
  relative(absolutePath: string): string;
  removeConversion(conversionId: string): Promise<void>;
}

export async function openStorage(root: string): Promise<Storage> {
  await mkdir(join(root, 'jobs'), { recursive: true });
  await mkdir(join(root, 'uploads'), { recursive: true });
  // Named `jobs` since before jobs and conversions were apart; stored paths keep it.
  const conversionDir = (conversionId: string) => join(root, 'jobs', conversionId);
  return {
    root,
    conversionDir,
    uploadDir: () => join(root, 'uploads'),
    resolve(relativePath) {
      const path = resolve(root, relativePath);
      if (!path.startsWith(root + sep)) throw new Error(`stored path leaves the storage root: ${relativePath}`);
      return path;
    },
    relative: (absolutePath) => relative(root, absolutePath),
    removeConversion: (conversionId) => rm(conversionDir(conversionId), { recursive: true, force: true }),
  };
}
