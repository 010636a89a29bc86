/**
 * Each output file's audio is encoded by one ffmpeg run, its tags, chapters and cover included
 * (an MP3's are made by a run of their own beside it, mp3-head.ts, and joined in front), and is
 * not read back where the encode already knows its facts. The tools are wrapped in scripts that log
 * the last argument of each run: ffmpeg's output, ffprobe's input.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { convert } from '../../src/pipeline/convert.ts';
import { parseSource } from '../../src/pipeline/sources.ts';
import type { ConvertOptions, Engine, OutputFile } from '../../src/pipeline/types.ts';
import { tempDir, testEngine } from '../helpers/engine.ts';
import { audioOf, coverOf, decodePcm, ffprobe, type Probed, tagsOf } from '../helpers/ffprobe.ts';
import { type Site, startSite } from '../site/server.ts';

const exec = promisify(execFile);

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
async function run(url: string, options: Partial<ConvertOptions>, parallel = engine.parallel) {
  await Promise.all([writeFile(logs.ffmpeg, ''), writeFile(logs.ffprobe, '')]);
  const { files } = await convert(
    parseSource(url, { allowFiles: true }),
    { format: 'mp3', splitChapters: false, normalize: false, ...options },
    { engine: { ...engine, parallel }, outDir: await tempDir() },
  );
  const names = async (log: string) =>
    (await readFile(log, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((p) => basename(p));
  return { files, written: await names(logs.ffmpeg), probed: await names(logs.ffprobe) };
}

/** What the runs wrote but the cover and an MP3's tag (`.id3`): the audio. */
const audioWrites = (written: string[]) =>
  written.filter((name) => name !== 'cover.jpg' && !name.endsWith('.id3')).sort();

describe('writing each file once', () => {
  it('encodes an MP3 in one run, its tags, chapters and cover in another, and reads nothing of it back', async () => {
    const { files, written, probed } = await run(site.watchUrl('basic'), {});
    assert.deepEqual(audioWrites(written), ['audio-0.mp3.frames']);
    assert.ok(written.includes('audio-0.mp3.id3'));
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

describe('a long MP3 split over idle cores', () => {
  /** 30 s of Opus/WebM with its own tags and chapters, "long" for engines that split from 10 s. */
  let local: string;
  before(async () => {
    const dir = await tempDir();
    local = join(dir, 'Long Tone.webm');
    const meta = join(dir, 'tags.ffmeta');
    const chapters = ['One', 'Two', 'Three'].map(
      (title, i) => `[CHAPTER]\nTIMEBASE=1/1000\nSTART=${i * 10_000}\nEND=${(i + 1) * 10_000}\ntitle=${title}\n`,
    );
    await writeFile(meta, `;FFMETADATA1\ntitle=Long Tone\nartist=Tone Artist\n${chapters.join('')}`);
    await exec('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'sine=f=330:d=30:r=48000', '-f', 'ffmetadata', '-i', meta],
      ...['-map_metadata', '1', '-map_chapters', '1', '-c:a', 'libopus', '-y', local],
    ]);
  });

  it('encodes in one segment per core, and makes the file one encoder makes', async () => {
    const one = await run(local, {}, { cores: () => 1, minDurationSec: 10 });
    const split = await run(local, {}, { cores: () => 3, minDurationSec: 10 });
    assert.deepEqual(audioWrites(one.written), ['audio-0.mp3.frames']);
    assert.deepEqual(
      audioWrites(split.written),
      [0, 1, 2].map((i) => `audio-0.mp3.segment-${i}`),
    );
    await assertSameFile(one.files[0]!, split.files[0]!);
  });

  it('encodes a link in segments while it downloads, and makes the file one encoder makes', async () => {
    const url = site.watchUrl('basic');
    const one = await run(url, {}, { cores: () => 1, minDurationSec: 10 });
    const split = await run(url, {}, { cores: () => 2, minDurationSec: 10 });
    assert.deepEqual(audioWrites(one.written), ['audio-0.mp3.frames']);
    assert.deepEqual(audioWrites(split.written), ['audio-0.mp3.segment-0', 'audio-0.mp3.segment-1']);
    assert.deepEqual(split.probed, [], 'the encode told the length and bitrate');
    const pb = await assertSameFile(one.files[0]!, split.files[0]!);
    assert.ok(coverOf(pb));
  });

  it('still tells a link cut off at the source, where its media ended', async () => {
    const one = await run(site.watchUrl('cutshort'), {}, { cores: () => 1, minDurationSec: 10 });
    const split = await run(site.watchUrl('cutshort'), {}, { cores: () => 2, minDurationSec: 10 });
    assert.deepEqual(audioWrites(split.written), ['audio-0.mp3.segment-0', 'audio-0.mp3.segment-1']);
    const [a, b] = [one.files[0]!, split.files[0]!];
    assert.equal(b.truncated?.of, 60);
    assert.ok(Math.abs((b.truncated?.at ?? 0) - 20) < 0.1, `ended at ${b.truncated?.at}`);
    assert.ok(Math.abs((a.truncated?.at ?? 0) - (b.truncated?.at ?? 0)) < 0.03);
    assert.equal((await decodePcm(b.path)).length, (await decodePcm(a.path)).length);
  });
});

/**
 * A split encode's file against one encoder's: the same name, facts, decoded length, tags and
 * chapters (three, as both sources have). Returns the split file's probe.
 */
async function assertSameFile(a: OutputFile, b: OutputFile): Promise<Probed> {
  assert.deepEqual(
    [b.name, basename(b.path), b.bitrate, b.truncated],
    [a.name, basename(a.path), a.bitrate, a.truncated],
  );
  assert.ok(Math.abs(a.duration - b.duration) < 0.03, `${a.duration} against ${b.duration}`);
  assert.equal((await decodePcm(b.path)).length, (await decodePcm(a.path)).length);
  const [pa, pb] = await Promise.all([ffprobe(a.path), ffprobe(b.path)]);
  assert.deepEqual(tagsOf(pb), tagsOf(pa));
  assert.deepEqual(pb.chapters, pa.chapters);
  assert.equal(pb.chapters.length, 3);
  return pb;
}
