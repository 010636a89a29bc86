/** Segmented MP3 encoding with real ffmpeg: exact length, no seam, a valid gapless file, clean abort. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, watch } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { encodeArgs, type TagInputs } from '../../src/pipeline/ffmpeg-args.ts';
import { id3v2Length, parseFrameHeader, splitFrames } from '../../src/pipeline/mp3-frames.ts';
import { makeMp3Head } from '../../src/pipeline/mp3-head.ts';
import { readInfoTag } from '../../src/pipeline/mp3-info-tag.ts';
import { encodeMp3Split, type SplitMp3, splitLayout } from '../../src/pipeline/split-encode.ts';
import { Spool } from '../../src/pipeline/spool.ts';
import { ffmpegEncode } from '../../src/pipeline/transcode.ts';
import type { Engine } from '../../src/pipeline/types.ts';
import { tempDir, testEngine } from '../helpers/engine.ts';
import { audioOf, coverOf, decodePcm, ffprobe, tagsOf } from '../helpers/ffprobe.ts';
import { childProcesses } from '../helpers/procfs.ts';

const exec = promisify(execFile);
const SECONDS = 30;
const SEGMENTS = 3;
/** Rising tones on both channels under pink noise: any misplaced or smeared sample shows as error. */
const SIGNAL = `aevalsrc=0.3*sin(2*PI*(200+40*t)*t)|0.3*sin(2*PI*(300+30*t)*t):s=RATE:d=${SECONDS}`;

const CHAPTERS = ['Low', 'High']
  .map((title, i) => `[CHAPTER]\nTIMEBASE=1/1000\nSTART=${i * 15_000}\nEND=${(i + 1) * 15_000}\ntitle=${title}\n`)
  .join('');

let engine: Engine;
let dir: string;

/** The test signal at `rate`, encoded as given (`-c:a libopus …`), like a download would be. */
async function source(name: string, rate: number, codec: string[], seconds = SECONDS): Promise<string> {
  const path = join(dir, name);
  const noise = `anoisesrc=d=${seconds}:c=pink:a=0.1:r=${rate}`;
  const signal = SIGNAL.replace('RATE', String(rate)).replace(`d=${SECONDS}`, `d=${seconds}`);
  await exec('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', signal, '-f', 'lavfi', '-i', noise],
    ...['-filter_complex', '[0][1]amix=inputs=2:normalize=0', ...codec, '-y', path],
  ]);
  return path;
}

let opus: string;
let wav: string;
let tags: TagInputs;
before(async () => {
  engine = await testEngine({ pluginDir: '' });
  dir = await tempDir();
  const cover = join(dir, 'cover.jpg');
  tags = { metadata: join(dir, 'tags.ffmeta'), cover };
  await writeFile(tags.metadata, `;FFMETADATA1\ntitle=Rising\n${CHAPTERS}`);
  await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=200x200', '-frames:v', '1', '-y', cover]);
  [opus, wav] = await Promise.all([
    source('source.webm', 48000, ['-c:a', 'libopus', '-b:a', '128k']),
    source('source.wav', 44100, ['-c:a', 'pcm_s16le']),
  ]);
});
after(async () => assert.deepEqual(await childProcesses(), []));

async function split(input: string, name: string, change: Partial<SplitMp3> = {}) {
  const original = await decodePcm(input);
  const output = join(dir, name);
  const head = makeMp3Head(engine.tools, tags, `${output}.id3`);
  // Told by the split that awaits it, or by nothing if that failed first.
  head.catch(() => {});
  const job = {
    input,
    output,
    head,
    encoders: SEGMENTS,
    totalSamples: original.length / 2,
    ...change,
  };
  const seconds = await encodeMp3Split(engine.tools, job, { limits: { timeoutMs: 120_000 } });
  return { original, output, seconds, decoded: await decodePcm(output), job };
}

/**
 * RMS error against the source in the 1152 samples around each seam, over the median RMS error of
 * 1152-sample windows everywhere: about 1 where a seam is as good as the rest. The source sample at
 * a cut is 1105 samples (LAME's encoder and decoder delay) before the frame boundary.
 */
function seamRatios(original: Int16Array, decoded: Int16Array, job: SplitMp3): number[] {
  const rms = (from: number) => {
    let sum = 0;
    for (let i = from * 2; i < (from + 1152) * 2; i++) sum += ((original[i] ?? 0) - (decoded[i] ?? 0)) ** 2;
    return Math.sqrt(sum / 2304);
  };
  const windows = Array.from({ length: Math.floor(original.length / 2 / 1152) - 1 }, (_, w) => rms(w * 1152));
  const median = windows.sort((a, b) => a - b)[Math.floor(windows.length / 2)] ?? 0;
  // A download of Opus in WebM (the only one here) is fed to each segment from near its cut.
  const seams = splitLayout(job, typeof job.input !== 'string').slice(1);
  return seams.map((s) => rms(s.inputStart + s.keepFrom - 1105 - 576) / median);
}

describe('encoding an MP3 in parallel segments', () => {
  it('decodes to exactly the source samples, with seams no worse than the rest', async () => {
    const { original, decoded, seconds, job } = await split(opus, 'cbr.mp3', { quality: '192k' });
    assert.equal(decoded.length, original.length);
    assert.equal(seconds, original.length / 2 / 48000);
    for (const ratio of seamRatios(original, decoded, job)) assert.ok(ratio < 1.5, `seam error ×${ratio.toFixed(2)}`);
  });

  it('a naive split (no overlap at the cuts) fails that check', async () => {
    const { original, decoded, job } = await split(opus, 'naive.mp3', { rollFrames: 0 });
    const ratios = seamRatios(original, decoded, job);
    // Measured ×2.8 to ×5.8 (the noise is random, and the error depends on the tones at the cut),
    // against under ×1.5 with the overlap.
    assert.ok(
      ratios.every((ratio) => ratio > 2),
      `seam errors ×${ratios.map((r) => r.toFixed(2))}`,
    );
  });

  it('writes a valid VBR file whose Xing header counts its frames and bytes', async () => {
    const { original, decoded, output } = await split(wav, 'vbr.mp3', { quality: 'V2' });
    assert.equal(decoded.length, original.length);
    const file = await readFile(output);
    const bytes = file.subarray(id3v2Length(file));
    const { frames, rest } = splitFrames(bytes);
    const tag = readInfoTag(frames[0] ?? Buffer.alloc(0));
    assert.deepEqual(
      { frames: tag?.frames, bytes: tag?.bytes, vbr: tag?.vbr, rest: rest.length },
      { frames: frames.length - 1, bytes: bytes.length, vbr: true, rest: 0 },
    );
    assert.equal(new Set(frames.slice(1).map((f) => parseFrameHeader(f)?.bitrateKbps)).size > 1, true);
    const probed = await ffprobe(output);
    assert.equal(audioOf(probed).codec_name, 'mp3');
    assert.equal(tagsOf(probed).title, 'Rising');
    assert.ok(Math.abs(Number(probed.format.duration) - SECONDS) < 0.05, probed.format.duration);
  });

  it('heads the file with the ID3 tag one encoder with the tags writes: the same tags, chapters and cover, byte for byte', async () => {
    const { output } = await split(opus, 'tagged.mp3');
    const single = join(dir, 'single.mp3');
    await ffmpegEncode(engine.tools, encodeArgs(opus, single, { format: 'mp3', copy: false, tags }), {
      limits: { timeoutMs: 120_000 },
    });
    const id3 = async (path: string) => {
      const bytes = await readFile(path);
      return bytes.subarray(0, id3v2Length(bytes));
    };
    const [spliced, one] = await Promise.all([id3(output), id3(single)]);
    assert.ok(one.length > 1000, 'the single encode wrote a tag with the cover');
    assert.deepEqual(spliced, one);
    const probed = await ffprobe(output);
    assert.deepEqual(
      probed.chapters.map((c) => c.tags?.title),
      ['Low', 'High'],
    );
    assert.ok(coverOf(probed));
  });

  it('keeps what there is of a source shorter than declared', async () => {
    const { original, decoded } = await split(wav, 'short.mp3', { totalSamples: 44100 * SECONDS * 3 });
    assert.equal(decoded.length, original.length);
  });

  it('from a download as it arrives: the same samples, seams as good, and nothing left but the file', async () => {
    const input = arriving('streamed');
    const { original, decoded, seconds, job } = await split(opus, 'streamed.mp3', { quality: '192k', input });
    assert.equal(decoded.length, original.length);
    assert.equal(seconds, original.length / 2 / 48000);
    for (const ratio of seamRatios(original, decoded, job)) assert.ok(ratio < 1.5, `seam error ×${ratio.toFixed(2)}`);
    assert.deepEqual(await leftBehind('streamed'), ['streamed.mp3']);
  });

  it('runs more segments than encoders from a download, one after another, each fed from near its cut', async () => {
    // 130 s with one encoder: two segments only where the download can be entered at a cluster
    // (one per encoder otherwise), run one after the other.
    const long = await source('long.webm', 48000, ['-c:a', 'libopus', '-b:a', '96k'], 130);
    const made = new Set<string>();
    const watcher = watch(dir, (_event, name) => name?.startsWith('pool.mp3.segment-') && made.add(name));
    try {
      const input = arriving('pool', long);
      const { original, decoded, job } = await split(long, 'pool.mp3', { quality: '192k', input, encoders: 1 });
      assert.deepEqual([...made].sort(), ['pool.mp3.segment-0', 'pool.mp3.segment-1']);
      assert.equal(decoded.length, original.length);
      for (const ratio of seamRatios(original, decoded, job)) assert.ok(ratio < 1.5, `seam error ×${ratio.toFixed(2)}`);
    } finally {
      watcher.close();
    }
  });

  const inputs: [string, string, () => SplitMp3['input']][] = [
    ['a file', 'aborted-file', () => opus],
    ['a download as it arrives', 'aborted-stream', () => arriving('aborted-stream')],
  ];
  for (const [name, stem, input] of inputs) {
    it(`ends every encoder and leaves no file when aborted, reading ${name}`, async () => {
      const abort = new AbortController();
      const output = join(dir, `${stem}.mp3`);
      const head = makeMp3Head(engine.tools, tags, `${output}.id3`);
      const job = { input: input(), output, head, encoders: SEGMENTS, totalSamples: 48000 * SECONDS };
      await head;
      await assert.rejects(
        encodeMp3Split(engine.tools, job, {
          signal: abort.signal,
          limits: { timeoutMs: 120_000 },
          onTime: () => abort.abort(),
        }),
        { code: 'cancelled' },
      );
      assert.deepEqual(await childProcesses(), []);
      assert.deepEqual(await leftBehind(stem), []);
    });
  }
});

/**
 * An Opus source as a download arriving: copied into a file in 16 kB pieces while the encoders
 * read it. The file is the download's, not the split encode's to remove (its name starts otherwise).
 */
function arriving(stem: string, from = opus): Spool {
  const path = join(dir, `download-${stem}.webm`);
  const spool = new Spool(path);
  void spool.follow(pipeline(createReadStream(from, { highWaterMark: 16 * 1024 }), createWriteStream(path)));
  return spool;
}

/** The files in the test directory whose names start with `stem`: the output and the segments. */
async function leftBehind(stem: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith(stem));
}
