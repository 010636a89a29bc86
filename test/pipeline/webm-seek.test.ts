/** Decoding an Opus-in-WebM file from a cluster near a cut: the same samples from the cut on, found as the file arrives. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ClusterIndex, opusPacketSamples, opusWebmHeaderEnd, type Reader } from '../../src/pipeline/webm-seek.ts';
import { tempDir } from '../helpers/engine.ts';

const exec = promisify(execFile);
const SECONDS = 40;
const RATE = 48_000;

let dir: string;
let opus: string;
before(async () => {
  dir = await tempDir();
  opus = await encoded('source.webm', ['-c:a', 'libopus', '-b:a', '96k']);
});

/** Tones under noise, `SECONDS` long, encoded as given. */
async function encoded(name: string, codec: string[]): Promise<string> {
  const path = join(dir, name);
  const tones = `aevalsrc=0.3*sin(2*PI*(200+40*t)*t)|0.3*sin(2*PI*(300+30*t)*t):s=${RATE}:d=${SECONDS}`;
  await exec('ffmpeg', [
    ...[
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      tones,
      '-f',
      'lavfi',
      '-i',
      `anoisesrc=d=${SECONDS}:c=pink:a=0.1:r=${RATE}`,
    ],
    ...['-filter_complex', '[0][1]amix=inputs=2:normalize=0', ...codec, '-y', path],
  ]);
  return path;
}

/** A reader of `bytes` that refuses any read a sane walk would not make. */
function readerOf(bytes: Buffer): Reader {
  return {
    read: async (into, position, length) => {
      assert.ok(length <= 8 << 20, `a read of ${length} bytes`);
      return position >= bytes.length ? 0 : bytes.copy(into, 0, position, Math.min(position + length, bytes.length));
    },
  };
}

async function indexOf(bytes: Buffer): Promise<ClusterIndex> {
  const headerEnd = await opusWebmHeaderEnd(readerOf(bytes));
  assert.ok(headerEnd, 'an Opus WebM');
  return new ClusterIndex(readerOf(bytes), headerEnd);
}

/** The whole decode's samples from `cut` on, against a decode fed the header and the clusters from the one the index names. */
async function assertSameFrom(bytes: Buffer, index: ClusterIndex, cut: number): Promise<void> {
  const start = await index.before(cut);
  assert.ok(start, `a cluster before ${cut}`);
  assert.ok(start.offset > index.headerEnd && start.firstSample > 0 && start.firstSample <= cut - RATE);
  const fed = Buffer.concat([bytes.subarray(0, index.headerEnd), bytes.subarray(start.offset)]);
  const [whole, part] = await Promise.all([pcm(bytes, cut), pcm(fed, cut - start.firstSample)]);
  assert.equal(part.length, whole.length);
  assert.ok(part.equals(whole), `the samples from ${cut} on differ`);
}

/**
 * The clusters of `bytes` (an ffmpeg WebM: EBML header, segment of known size, then its children),
 * each with the place and value of its Timestamp element.
 */
function clusterTimestamps(bytes: Buffer): { at: number; size: number; value: number }[] {
  const found: { at: number; size: number; value: number }[] = [];
  for (let at = bytes.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75])); at > 0; ) {
    const sizeLength = Math.clz32(bytes[at + 4] ?? 0) - 23;
    const data = at + 4 + sizeLength;
    let size = (bytes[at + 4] ?? 0) & (0xff >> sizeLength);
    for (let i = 1; i < sizeLength; i++) size = size * 256 + (bytes[at + 4 + i] ?? 0);
    assert.equal(bytes[data], 0xe7);
    const tsSize = (bytes[data + 1] ?? 0) & 0x7f;
    found.push({ at: data + 2, size: tsSize, value: bytes.readUIntBE(data + 2, tsSize) });
    at = bytes.indexOf(Buffer.from([0x1f, 0x43, 0xb6, 0x75]), data + size);
  }
  return found;
}

/** 16-bit PCM of `input` (a path, or bytes on stdin) from its decoded sample `start` on. */
async function pcm(input: string | Buffer, start: number): Promise<Buffer> {
  const args = ['-v', 'error', '-i', typeof input === 'string' ? input : 'pipe:0'];
  const child = spawn('ffmpeg', [...args, '-af', `atrim=start_sample=${start}`, '-f', 's16le', '-']);
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stdin.end(typeof input === 'string' ? undefined : input);
  const code = await new Promise((resolve) => child.once('close', resolve));
  assert.equal(code, 0);
  return Buffer.concat(chunks);
}

describe('seeking in an Opus WebM download', () => {
  it('starts a decode at a cluster before the cut whose samples from the cut on are the whole decode’s', async () => {
    const bytes = await readFile(opus);
    const index = await indexOf(bytes);
    for (const cut of [17 * RATE + 1152 * 3, 31 * RATE]) await assertSameFrom(bytes, index, cut);
  });

  it('counts packets, not timestamps: a gap in them (a live stream’s) shifts nothing', async () => {
    const bytes = Buffer.from(await readFile(opus));
    // One second more on the timestamps of every cluster from 15 s on: ffmpeg decodes every
    // packet all the same, so a decode from the start counts no gap.
    const late = clusterTimestamps(bytes).filter((c) => c.value >= 15_000);
    assert.ok(late.length >= 3 && late.every((c) => c.size === 2));
    for (const c of late) bytes.writeUIntBE(c.value + 1000, c.at, c.size);
    await assertSameFrom(bytes, await indexOf(bytes), 31 * RATE);
  });

  it('reads nothing large and seeks nowhere where sizes lie', async () => {
    const bytes = await readFile(opus);
    const headerEnd = (await indexOf(bytes)).headerEnd;
    // The first cluster's size made 2^40 (an 8-byte size), its content as it was.
    const huge = Buffer.concat([
      bytes.subarray(0, headerEnd),
      Buffer.from([0x1f, 0x43, 0xb6, 0x75, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]),
      bytes.subarray(headerEnd + 7),
    ]);
    assert.equal(bytes.readUInt32BE(headerEnd), 0x1f43b675);
    assert.equal(await (await indexOf(huge)).before(31 * RATE), null);
    // A codec name of 2^31 bytes in a track of 30.
    const hostile = Buffer.from([
      ...[0x1a, 0x45, 0xdf, 0xa3, 0x80],
      ...[0x18, 0x53, 0x80, 0x67, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      ...[0x16, 0x54, 0xae, 0x6b, 0x9e, 0xae, 0x9c, 0x86, 0x08, 0x80, 0x00, 0x00, 0x00],
      ...Buffer.from('A_OPUS'.padEnd(22, '\0')),
      ...[0x1f, 0x43, 0xb6, 0x75, 0x80],
    ]);
    assert.equal(await opusWebmHeaderEnd(readerOf(hostile)), null);
  });

  it('answers once the file holds the cluster after the one it names, and none too near the start', async () => {
    const bytes = await readFile(opus);
    let available = 0;
    const waiting: (() => void)[] = [];
    const whole = readerOf(bytes);
    const reader: Reader = {
      read: async (into, position, length) => {
        while (position + length > available && available < bytes.length)
          await new Promise<void>((r) => waiting.push(r));
        return whole.read(into, position, length);
      },
    };
    const headerEnd = await opusWebmHeaderEnd(whole);
    assert.ok(headerEnd);
    const index = new ClusterIndex(reader, headerEnd);
    let answered = false;
    const asking = index.before(20 * RATE).then((start) => {
      answered = true;
      return start;
    });
    for (available = 0; available < bytes.length && !answered; available += 4096) {
      for (const wake of waiting.splice(0)) wake();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const start = await asking;
    assert.ok(start && available < bytes.length * 0.75, `answered at ${available} of ${bytes.length} bytes`);
    assert.equal(await index.before(RATE / 2), null);
  });

  it('is not had for another codec', async () => {
    const vorbis = await encoded('vorbis.webm', ['-c:a', 'libvorbis']);
    const m4a = await encoded('aac.m4a', ['-c:a', 'aac']);
    for (const path of [vorbis, m4a]) assert.equal(await opusWebmHeaderEnd(readerOf(await readFile(path))), null, path);
  });

  it('counts an Opus packet’s samples from its TOC byte', () => {
    assert.equal(opusPacketSamples(Uint8Array.of(31 << 3)), 960); // CELT 20 ms, one frame
    assert.equal(opusPacketSamples(Uint8Array.of((16 << 3) | 1)), 240); // CELT 2.5 ms, two frames
    assert.equal(opusPacketSamples(Uint8Array.of((3 << 3) | 3, 3)), 8640); // SILK 60 ms, three frames
    assert.equal(opusPacketSamples(Uint8Array.of()), null);
  });
});
