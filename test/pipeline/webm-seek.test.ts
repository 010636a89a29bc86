/** Decoding an Opus-in-WebM file from a cluster near a cut: the same samples from the cut on, found as the file arrives. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ClusterIndex, opusPacketSamples, type ReadAt, readOpusWebm } from '../../src/pipeline/webm-seek.ts';
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

function readerOf(bytes: Buffer): ReadAt {
  return async (position, length) => bytes.subarray(position, position + length);
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
    const head = await readOpusWebm(readerOf(bytes));
    assert.ok(head, 'an Opus WebM');
    assert.equal(head.packetSamples, 960);
    const index = new ClusterIndex(readerOf(bytes), head);
    for (const cut of [17 * RATE + 1152 * 3, 31 * RATE]) {
      const start = await index.before(cut);
      assert.ok(start, `a cluster before ${cut}`);
      assert.ok(start.offset > head.headerEnd && start.firstSample > 0 && start.firstSample <= cut - RATE);
      const fed = Buffer.concat([bytes.subarray(0, head.headerEnd), bytes.subarray(start.offset)]);
      const [whole, part] = await Promise.all([pcm(opus, cut), pcm(fed, cut - start.firstSample)]);
      assert.equal(part.length, whole.length);
      assert.ok(part.equals(whole), `the samples from ${cut} on differ`);
    }
  });

  it('answers once the file holds the cluster after the one it names, and none too near the start', async () => {
    const bytes = await readFile(opus);
    let available = 0;
    const waiting: (() => void)[] = [];
    const read: ReadAt = async (position, length) => {
      while (position + length > available && available < bytes.length) await new Promise<void>((r) => waiting.push(r));
      return bytes.subarray(position, position + length);
    };
    const head = await readOpusWebm(readerOf(bytes));
    assert.ok(head);
    const index = new ClusterIndex(read, head);
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
    for (const path of [vorbis, m4a]) assert.equal(await readOpusWebm(readerOf(await readFile(path))), null, path);
  });

  it('counts an Opus packet’s samples from its TOC byte', () => {
    assert.equal(opusPacketSamples(Uint8Array.of(31 << 3)), 960); // CELT 20 ms, one frame
    assert.equal(opusPacketSamples(Uint8Array.of((16 << 3) | 1)), 240); // CELT 2.5 ms, two frames
    assert.equal(opusPacketSamples(Uint8Array.of((3 << 3) | 3, 3)), 8640); // SILK 60 ms, three frames
    assert.equal(opusPacketSamples(Uint8Array.of()), null);
  });
});
