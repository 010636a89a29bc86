/** A download's file read while it is written: every byte once and in order, an end, a restart refused. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFile, mkdir, truncate } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { before, describe, it } from 'node:test';
import { type Skip, Spool, SpoolFailed } from '../../src/pipeline/spool.ts';
import { tempDir } from '../helpers/engine.ts';

let dir: string;
before(async () => {
  dir = await tempDir();
});

/** What a reader of `spool` receives, once it has ended; `onBytes` hears the running total. */
async function read(spool: Spool, onBytes: (total: number) => void = () => {}, skip?: Skip): Promise<Buffer> {
  const dest = new PassThrough();
  const chunks: Buffer[] = [];
  let total = 0;
  dest.on('data', (chunk: Buffer) => {
    // A copy: the spool reuses its buffer once a write is done.
    chunks.push(Buffer.from(chunk));
    total += chunk.length;
    onBytes(total);
  });
  const ended = new Promise((resolve) => dest.once('end', resolve));
  await spool.copyTo(dest, () => {}, skip);
  await ended;
  return Buffer.concat(chunks);
}

/** Appends `pieces` to `path` one after another, as a download writes them. */
async function write(path: string, pieces: readonly Buffer[]): Promise<void> {
  for (const piece of pieces) await appendFile(path, piece);
}

describe('Spool', () => {
  it('gives readers that start before the file exists every byte, in order, then the end', async () => {
    const path = join(dir, 'growing.bin');
    const pieces = Array.from({ length: 40 }, (_, i) => randomBytes(5000 + i * 997));
    const spool = new Spool(path);
    const following = spool.follow(write(path, pieces));
    const [a, b] = await Promise.all([read(spool), read(spool), following]);
    assert.deepEqual(a, Buffer.concat(pieces));
    assert.deepEqual(b, Buffer.concat(pieces));
  });

  it('leaves out the bytes a reader skips, and answers a read at a place once the file holds it', async () => {
    const path = join(dir, 'skipped.bin');
    const pieces = Array.from({ length: 30 }, (_, i) => randomBytes(9000 + i * 113));
    const whole = Buffer.concat(pieces);
    const spool = new Spool(path);
    const skip = { from: 1000, to: 200_000 };
    const reader = spool.reader();
    const readAt = async (position: number, length: number) => {
      const into = Buffer.alloc(length);
      return into.subarray(0, await reader.read(into, position, length));
    };
    const [skipped, late, end] = await Promise.all([
      read(spool, () => {}, skip),
      readAt(250_000, 5000),
      readAt(whole.length - 10, 100),
      spool.follow(write(path, pieces)),
    ]);
    await reader.close();
    assert.deepEqual(skipped, Buffer.concat([whole.subarray(0, 1000), whole.subarray(200_000)]));
    assert.deepEqual(late, whole.subarray(250_000, 255_000));
    assert.deepEqual(end, whole.subarray(whole.length - 10));
    await assert.rejects(reader.read(Buffer.alloc(10), 0, 2 ** 31), RangeError);
  });

  it('gives a reader that starts after the writer ended the whole file', async () => {
    const path = join(dir, 'finished.bin');
    const bytes = randomBytes(300_000);
    const spool = new Spool(path);
    await spool.follow(write(path, [bytes]));
    assert.deepEqual(await read(spool), bytes);
  });

  it('looks at the file every so often when its folder cannot be watched (here: not made yet)', async () => {
    const path = join(dir, 'made-later', 'late.bin');
    const pieces = Array.from({ length: 5 }, () => randomBytes(70_000));
    const spool = new Spool(path);
    const writing = mkdir(dirname(path)).then(() => write(path, pieces));
    const [bytes] = await Promise.all([read(spool), spool.follow(writing)]);
    assert.deepEqual(bytes, Buffer.concat(pieces));
  });

  it('ends its readers with nothing when the writer wrote no file', async () => {
    const spool = new Spool(join(dir, 'never.bin'));
    const reading = read(spool);
    await spool.follow(Promise.reject(new Error('the download failed')));
    assert.equal((await reading).length, 0);
  });

  it('fails, and fails its readers, when the file shrinks (the download started over)', async () => {
    const path = join(dir, 'restarted.bin');
    const spool = new Spool(path);
    let seen: () => void = () => {};
    const firstBytes = new Promise<void>((resolve) => {
      seen = resolve;
    });
    const reading = assert.rejects(
      read(spool, (total) => total >= 100_000 && seen()),
      SpoolFailed,
    );
    // The writer never ends on its own: only the shrink can end the following.
    const following = assert.rejects(spool.follow(new Promise(() => {})), SpoolFailed);
    await write(path, [randomBytes(100_000)]);
    await firstBytes;
    await truncate(path, 10);
    await Promise.all([following, reading]);
  });
});
