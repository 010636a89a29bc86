/**
 * Each output file is written by one ffmpeg run, its tags, chapters and cover included, and is not
 * read back where the encode already knows its facts. The tools are wrapped in scripts that log
 * the last argument of each run: ffmpeg's output, ffprobe's input.
 */
import assert from 'node:assert/strict';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { convert } from '../../src/pipeline/convert.ts';
import { parseSource } from '../../src/pipeline/sources.ts';
import type { ConvertOptions, Engine } from '../../src/pipeline/types.ts';
import { tempDir, testEngine } from '../helpers/engine.ts';
import { audioOf, coverOf, ffprobe, tagsOf } from '../helpers/ffprobe.ts';
import { type Site, startSite } from '../site/server.ts';

let site: Site;
let engine: Engine;
let logs: { ffmpeg: string; ffprobe: string };

/** A script that appends its last argument to `log`, then becomes `real`. */
async function logging(dir: string, real: string, log: string): Promise<string> {
  const path = join(dir, basename(real));
  await writeFile(path, `#!/bin/sh\nfor last; do :; done\nprintf '%s\\n' "$last" >> '${log}'\nexec '${real}' "$@"\n`);
  await chmod(path, 0o755);
  return path;
}

before(async () => {
  site = await startSite();
  const base = await testEngine({ pluginDir: site.pluginDir });
  const dir = await tempDir('ytconv-test-tools-');
  logs = { ffmpeg: join(dir, 'ffmpeg.log'), ffprobe: join(dir, 'ffprobe.log') };
  const tools = {
    ...base.tools,
    ffmpeg: await logging(dir, base.tools.ffmpeg, logs.ffmpeg),
    ffprobe: await logging(dir, base.tools.ffprobe, logs.ffprobe),
  };
  engine = { ...base, tools };
});
after(() => site.close());

/** Converts `url`; returns the files and the file names each tool's runs wrote (ffmpeg) or read (ffprobe). */
async function run(url: string, options: Partial<ConvertOptions>) {
  await Promise.all([writeFile(logs.ffmpeg, ''), writeFile(logs.ffprobe, '')]);
  const { files } = await convert(
    parseSource(url, { allowFiles: false }),
    { format: 'mp3', splitChapters: false, normalize: false, ...options },
    { engine, outDir: await tempDir() },
  );
  const names = async (log: string) =>
    (await readFile(log, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((p) => basename(p));
  return { files, written: await names(logs.ffmpeg), probed: await names(logs.ffprobe) };
}

/** What the runs wrote but the cover: the audio files. */
const audioWrites = (written: string[]) => written.filter((name) => name !== 'cover.jpg').sort();

describe('writing each file once', () => {
  it('encodes an MP3 with its tags, chapters and cover in one run, and reads nothing of it back', async () => {
    const { files, written, probed } = await run(site.watchUrl('basic'), {});
    assert.deepEqual(audioWrites(written), ['audio-0.mp3']);
    assert.deepEqual(probed, [], 'the encode told the length and bitrate');
    const p = await ffprobe(files[0]!.path);
    assert.equal(tagsOf(p).title, 'Sine Song');
    assert.ok(coverOf(p));
    assert.equal(p.chapters.length, 3);
    assert.equal(files[0]!.bitrate, Number(audioOf(p).bit_rate));
    assert.ok(Math.abs(files[0]!.duration - Number(p.format.duration)) < 0.05, `${files[0]!.duration}`);
  });

  it('copies Opus with its tags, chapters and cover in one run', async () => {
    const { files, written } = await run(site.watchUrl('basic'), { format: 'opus' });
    assert.deepEqual(audioWrites(written), ['audio-0.opus']);
    const p = await ffprobe(files[0]!.path);
    assert.ok(coverOf(p));
    assert.equal(p.chapters.length, 3);
  });

  it('writes each chapter of a split M4A once', async () => {
    const { files, written } = await run(site.watchUrl('basic'), { format: 'm4a', splitChapters: true });
    assert.deepEqual(audioWrites(written), ['audio-0.m4a', 'audio-1.m4a', 'audio-2.m4a']);
    for (const f of files) assert.ok(coverOf(await ffprobe(f.path)));
  });

  it('writes a trimmed M4A once, with its cover and the chapters inside the trim', async () => {
    const { files, written } = await run(site.watchUrl('basic'), { format: 'm4a', start: 3, end: 9.5 });
    assert.deepEqual(audioWrites(written), ['audio-0.m4a']);
    const p = await ffprobe(files[0]!.path);
    assert.ok(coverOf(p));
    assert.deepEqual(
      p.chapters.map((c) => c.tags?.title),
      ['Intro', 'Middle', 'Outro'],
    );
  });
});
