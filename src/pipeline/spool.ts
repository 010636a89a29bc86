/**
 * A stream kept on disk as it arrives, so that several readers can each read it from its start at
 * their own pace while it is still arriving: the segment encoders of a split encode of a download
 * (split-encode.ts). Disk, not memory: the first segment's encoder reads at its encode's pace, far
 * behind the download, and what it has not read yet would otherwise pile up in the worker. The
 * bytes kept are the download's own (57 MB for an hour of YouTube's Opus), not decoded audio.
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Bytes per write to a reader: at most a pipe's capacity (64 KB on Linux), so that the first write
 * to an encoder completes at once and starts its inactivity clock, which then catches an encoder
 * that stops taking its input (process.ts starts that clock at the first progress).
 */
const CHUNK = 1 << 16;

export class Spool {
  readonly path: string;
  #written = 0;
  #ended = false;
  #waiting = new Set<() => void>();

  private constructor(path: string) {
    this.path = path;
  }

  /** An empty spool at `path`, ready for readers before its writer starts. */
  static async create(path: string): Promise<Spool> {
    await (await open(path, 'w')).close();
    return new Spool(path);
  }

  /**
   * Write `input` to the file as it comes (its backpressure holds the input's source), until it
   * ends or `signal` aborts (which destroys it). Readers reach the end of the spool once this
   * settles, whichever way: a failure is the caller's to tell.
   */
  async fill(input: Readable, signal: AbortSignal): Promise<void> {
    const file = await open(this.path, 'r+');
    try {
      await pipeline(input, this.#sink(file), { signal });
    } finally {
      this.#ended = true;
      this.#wake();
      await file.close();
    }
  }

  #sink(file: FileHandle): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        writeAll(file, chunk, this.#written).then(() => {
          this.#written += chunk.length;
          this.#wake();
          done();
        }, done);
      },
    });
  }

  /**
   * Write the spool from its first byte to `dest`, waiting for more until the writer has finished,
   * then end `dest`; `written` is told after each write. One buffer, reused once each write is done
   * with it: the garbage a fresh buffer per read makes piled up to 40 MB in a worker before a
   * collection freed it. Rejects when `dest` fails (its reader went away).
   */
  async copyTo(dest: Writable, written: () => void): Promise<void> {
    const file = await open(this.path, 'r');
    const buffer = Buffer.allocUnsafe(CHUNK);
    try {
      let position = 0;
      for (;;) {
        if (position < this.#written) {
          const length = Math.min(CHUNK, this.#written - position);
          const { bytesRead } = await file.read(buffer, 0, length, position);
          position += bytesRead;
          await writeTo(dest, buffer.subarray(0, bytesRead));
          written();
        } else if (this.#ended) {
          dest.end();
          return;
        } else {
          await new Promise<void>((resolve) => this.#waiting.add(resolve));
        }
      }
    } finally {
      await file.close();
    }
  }

  #wake(): void {
    for (const resolve of this.#waiting) resolve();
    this.#waiting.clear();
  }
}

/** Resolves once `dest` is done with `chunk`: written out, not just queued. */
function writeTo(dest: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => dest.write(chunk, (err) => (err ? reject(err) : resolve())));
}

/** A write to a regular file may in principle be short: write the rest. */
async function writeAll(file: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await file.write(chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
  }
}
