/**
 * A job's files as one ZIP, streamed. Entries are stored, not deflated: audio is compressed
 * already, and stored entries make the archive's size known up front (a Content-Length, so
 * browsers show real progress).
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { StoredFile } from '../jobs/types.ts';

export interface ZipStream {
  stream: Readable;
  /** Bytes, or null when yazl cannot know in advance. */
  size: number | null;
}

/** Stats every file first, so a missing one fails before any byte is sent. */
export async function zipFiles(files: readonly StoredFile[]): Promise<ZipStream> {
  const entries = await Promise.all(files.map(async (file) => ({ file, info: await stat(file.path) })));
  const zip = new ZipFile();
  // yazl's output is a PassThrough.
  const output = zip.outputStream as Readable;
  // yazl opens one file at a time; when the client goes away it would stay open, paused.
  let current: ReadStream | null = null;
  output.once('close', () => current?.destroy());
  for (const { file, info } of entries) {
    zip.addReadStreamLazy(file.name, { size: info.size, mtime: info.mtime, compress: false }, (open) => {
      current = createReadStream(file.path);
      open(null, current);
    });
  }
  const total = await new Promise<number>((resolve, reject) => {
    zip.once('error', reject);
    endZip(zip, resolve);
  });
  zip.on('error', (err) => output.destroy(err));
  return { stream: output, size: total >= 0 ? total : null };
}

/** @types/yazl leaves out the argument of `end`'s callback: the final size, or -1 if unknown. */
function endZip(zip: ZipFile, onSize: (size: number) => void): void {
  (zip.end as (options: object, callback: (size: number) => void) => void).call(zip, {}, onSize);
}
