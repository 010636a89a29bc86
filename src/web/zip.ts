/**
 * A ZIP of one job's files or several jobs', streamed, laid out as src/jobs/archive.ts says.
 * Entries are stored, not deflated: audio is compressed already, and stored entries make the
 * archive's size known up front (a Content-Length, so browsers show real progress).
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { ArchiveEntry } from '../jobs/archive.ts';

export interface ZipStream {
  stream: Readable;
  /** Bytes, or null when yazl cannot know in advance. */
  size: number | null;
}

/** Stats every file first, so a missing one fails before any byte is sent. */
export async function zipEntries(entries: readonly ArchiveEntry[]): Promise<ZipStream> {
  const files = await Promise.all(
    entries.map(async (entry) => ({ entry, info: 'path' in entry ? await stat(entry.path) : null })),
  );
  const zip = new ZipFile();
  // yazl's output is a PassThrough.
  const output = zip.outputStream as Readable;
  // yazl opens one file at a time; when the client goes away it would stay open, paused.
  let current: ReadStream | null = null;
  output.once('close', () => current?.destroy());
  for (const { entry, info } of files) {
    if ('text' in entry) {
      zip.addBuffer(Buffer.from(entry.text), entry.name, { compress: false });
      continue;
    }
    zip.addReadStreamLazy(entry.name, { size: info?.size, mtime: info?.mtime, compress: false }, (open) => {
      current = createReadStream(entry.path);
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
