/**
 * A file that a child process writes as a download arrives (yt-dlp, told to write it there), read
 * by one or several encoders from its start at their own pace while it grows: the one encoder of
 * a streamed download, or the segment encoders of a split encode (split-encode.ts).
 *
 * The bytes go from yt-dlp to the file and from the file to ffmpeg's stdin through one reused
 * buffer per reader, never through a Node stream of the download: each chunk read from a pipe is
 * a fresh buffer that only a garbage collection frees, and an hour's download (57 MB) piled up in
 * a worker that way, its peak memory growing with the media's length. On disk, not in memory:
 * the first segment's encoder reads at its encode's pace, far behind the download.
 */
import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Writable } from 'node:stream';

/**
 * Bytes per write to a reader: at most a pipe's capacity (64 KB on Linux), so that the first write
 * to an encoder completes at once and starts its inactivity clock, which then catches an encoder
 * that stops taking its input (process.ts starts that clock at the first progress).
 */
const CHUNK = 1 << 16;

/**
 * The file can no longer be followed: it got shorter or went away (its writer started over, a
 * retry the server did not let resume).
 */
export class SpoolFailed extends Error {}

export interface SpoolReader {
  read(into: Buffer, position: number, length: number): Promise<number>;
  close(): Promise<void>;
}

/** Bytes [from, to) left out of a copy: a WebM's clusters before the one a decode starts at. */
export interface Skip {
  from: number;
  to: number;
}

export class Spool {
  readonly path: string;
  #written = 0;
  #ended = false;
  #failure: SpoolFailed | null = null;
  #waiting = new Set<() => void>();

  /** The spool of the file at `path`, which its writer creates. */
  constructor(path: string) {
    this.path = path;
  }

  /** Whether its writer has finished (the readers then reach its end). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Follow the file's growth until `writer` (the writing process's end) settles, whichever way:
   * its failure is the caller's to tell. Each change to the file wakes the readers (see
   * onChanges); the size once the writer is done is the whole. Rejects with SpoolFailed, and so
   * do the readers, when the file shrinks: readers cannot follow a restart.
   */
  async follow(writer: Promise<unknown>): Promise<void> {
    const name = basename(this.path);
    let fail: (err: unknown) => void = () => {};
    const failure = new Promise<never>((_, reject) => {
      fail = reject;
    });
    failure.catch(() => {});
    // One size check at a time, in order: a later one never sees less than an earlier one did.
    let checking = Promise.resolve();
    const check = (): Promise<void> => {
      checking = checking.then(() => this.#grow());
      return checking;
    };
    const watcher = onChanges(dirname(this.path), name, () => check().catch(fail));
    try {
      await Promise.race([Promise.all([check(), writer.catch(() => {})]), failure]);
      await Promise.race([check(), failure]);
    } catch (err) {
      this.#failure = err instanceof SpoolFailed ? err : new SpoolFailed(String(err));
      throw this.#failure;
    } finally {
      watcher.close();
      this.#ended = true;
      this.#wake();
    }
  }

  async #grow(): Promise<void> {
    const size = await stat(this.path).then(
      (s) => s.size,
      () => 0,
    );
    if (size < this.#written) throw new SpoolFailed(`${this.path} went from ${this.#written} to ${size} bytes`);
    if (size === this.#written) return;
    this.#written = size;
    this.#wake();
  }

  /**
   * Write the file from its first byte to `dest` (but for `skip`), waiting for more until the
   * writer has finished, then end `dest`; `written` is told after each write. One buffer, reused
   * once each write is done with it. Rejects when `dest` fails (its reader went away) or the file
   * was restarted.
   */
  async copyTo(dest: Writable, written: () => void, skip?: Skip): Promise<void> {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let file: FileHandle | null = null;
    try {
      let position = 0;
      for (;;) {
        if (skip && position === skip.from) position = skip.to;
        await this.#holding(position + 1);
        if (position >= this.#written) {
          dest.end();
          return;
        }
        file ??= await open(this.path, 'r');
        const upTo = skip && position < skip.from ? skip.from : this.#written;
        const length = Math.min(CHUNK, upTo - position);
        const { bytesRead } = await file.read(buffer, 0, length, position);
        if (bytesRead === 0) {
          // Less than the size seen: the file shrank, which the next size check fails on.
          await this.#change();
          continue;
        }
        position += bytesRead;
        await writeTo(dest, buffer.subarray(0, bytesRead));
        written();
      }
    } finally {
      await file?.close();
    }
  }

  /**
   * A reader of the file at any place (webm-seek.ts walks its clusters): `read` fills `into` with
   * up to `length` bytes at `position` once the file holds them, fewer only once its writer has
   * finished, and rejects when the file was restarted. One file handle until `close`.
   */
  reader(): SpoolReader {
    let file: Promise<FileHandle> | null = null;
    let closed = false;
    return {
      read: async (into, position, length) => {
        if (!Number.isSafeInteger(position) || position < 0 || length > into.length) {
          throw new RangeError(`no read of ${length} bytes at ${position} into ${into.length}`);
        }
        await this.#holding(position + length);
        // A read that waited past its reader's close opens nothing that nobody would close.
        if (closed) throw new Error(`the reader of ${this.path} is closed`);
        file ??= open(this.path, 'r');
        return (await (await file).read(into, 0, length, position)).bytesRead;
      },
      close: async () => {
        closed = true;
        await (await file?.catch(() => null))?.close();
      },
    };
  }

  /** Resolves once the file holds `end` bytes or its writer has finished; rejects once it was restarted. */
  async #holding(end: number): Promise<void> {
    while (this.#written < end && !this.#ended) {
      if (this.#failure) throw this.#failure;
      await this.#change();
    }
    if (this.#failure) throw this.#failure;
  }

  /** Resolves at the next growth, end or failure. */
  #change(): Promise<void> {
    return new Promise((resolve) => this.#waiting.add(resolve));
  }

  #wake(): void {
    for (const resolve of this.#waiting) resolve();
    this.#waiting.clear();
  }
}

/** How often to look at the file when the folder cannot be watched. */
const POLL_MS = 100;

/**
 * Calls `changed` on each change to the file `name` in `dir`: an inotify event (fs.watch), not a
 * timer, so readers start on the first bytes. Where no watch can be had (the machine's inotify
 * limits reached), or the watch fails, it looks every POLL_MS instead.
 */
function onChanges(dir: string, name: string, changed: () => void): { close(): void } {
  let timer: NodeJS.Timeout | null = null;
  const poll = () => {
    timer ??= setInterval(changed, POLL_MS);
  };
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dir, (_event, file) => {
      if (file === name) changed();
    });
    watcher.once('error', () => {
      watcher?.close();
      poll();
    });
  } catch {
    poll();
  }
  return {
    close() {
      watcher?.close();
      if (timer) clearInterval(timer);
    },
  };
}

/** Resolves once `dest` is done with `chunk`: written out, not just queued. */
function writeTo(dest: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => dest.write(chunk, (err) => (err ? reject(err) : resolve())));
}
