/** One MP3 encode with its tags made beside it (mp3-head.ts), against one ffmpeg run that writes both. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { encodeTo } from '../../src/pipeline/encode-to.ts';
import { encodeArgs, type TagInputs } from '../../src/pipeline/ffmpeg-args.ts';
import { Spool } from '../../src/pipeline/spool.ts';
import { ffmpegEncode } from '../../src/pipeline/transcode.ts';
import type { Engine } from '../../src/pipeline/types.ts';
import { tempDir, testEngine } from '../helpers/engine.ts';
import { coverOf, ffprobe } from '../helpers/ffprobe.ts';
import { childProcesses } from '../helpers/procfs.ts';

const exec = promisify(execFile);
const RUN = { limits: { timeoutMs: 120_000 } };
const SOURCE = { duration: 20, sampleRate: 48000 };

let engine: Engine;
let dir: string;
let source: string;
let tags: TagInputs;
before(async () => {
  // One encoder: 20 s is below the split's minimum anyway.
  engine = { ...(await testEngine({ pluginDir: '' })), parallel: { cores: () => 1, minDurationSec: 30 } };
  dir = await tempDir();
  source = join(dir, 'source.webm');
  tags = { metadata: join(dir, 'tags.ffmeta'), cover: join(dir, 'cover.jpg') };
  const chapter = '[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=20000\ntitle=All of it\n';
  await writeFile(tags.metadata, `;FFMETADATA1\ntitle=Beside\nartist=Someone\n${chapter}`);
  await Promise.all([
    exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=s=300x300', '-frames:v', '1', '-y', tags.cover ?? '']),
    exec('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${SOURCE.duration}:sample_rate=48000`],
      ...['-c:a', 'libopus', '-b:a', '96k', '-y', source],
    ]),
  ]);
});
after(async () => assert.deepEqual(await childProcesses(), []));

describe('an MP3 whose tags are made beside its encode', () => {
  it('is byte for byte the file one ffmpeg run with the tags makes, and leaves nothing else', async () => {
    const output = join(dir, 'beside.mp3');
    const spec = { format: 'mp3' as const, copy: false, quality: '160k' };
    const reached = await encodeTo(source, SOURCE, output, spec, Promise.resolve(tags), engine, RUN);
    const single = join(dir, 'single.mp3');
    await ffmpegEncode(engine.tools, encodeArgs(source, single, { ...spec, tags }), RUN);
    const [beside, one] = await Promise.all([readFile(output), readFile(single)]);
    assert.ok(beside.equals(one), `${beside.length} bytes against ${one.length}`);
    assert.ok(reached !== null && Math.abs(reached - SOURCE.duration) < 0.05, `encoded ${reached} s`);
    assert.ok(coverOf(await ffprobe(output)));
    assert.deepEqual((await readdir(dir)).filter((name) => name.startsWith('beside')).sort(), ['beside.mp3']);
  });

  it('fails as ffmpeg does when the tags cannot be made, and leaves no file', async () => {
    const output = join(dir, 'broken.mp3');
    const broken = { ...tags, cover: join(dir, 'no-such-cover.jpg') };
    await assert.rejects(
      encodeTo(source, SOURCE, output, { format: 'mp3', copy: false }, Promise.resolve(broken), engine, RUN),
      { name: 'ConvertError' },
    );
    assert.deepEqual(await childProcesses(), []);
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.startsWith('broken')),
      [],
    );
  });

  it('stops encoding as soon as the tags fail, without waiting for the rest of a download', async () => {
    // Half the source has arrived and the rest never comes: only the tags' failure can end this.
    const path = join(dir, 'stalled.webm');
    const bytes = await readFile(source);
    await writeFile(path, bytes.subarray(0, bytes.length / 2));
    const spool = new Spool(path);
    let finish = () => {};
    const following = spool.follow(new Promise<void>((resolve) => (finish = resolve)));
    try {
      const tagsFail = Promise.reject(new Error('the tags could not be written'));
      const output = join(dir, 'stalled.mp3');
      await assert.rejects(encodeTo(spool, SOURCE, output, { format: 'mp3', copy: false }, tagsFail, engine, RUN), {
        message: 'the tags could not be written',
      });
      assert.deepEqual(await childProcesses(), []);
      assert.deepEqual(
        (await readdir(dir)).filter((name) => name.startsWith('stalled.mp3')),
        [],
      );
    } finally {
      finish();
      await following;
    }
  });
});
