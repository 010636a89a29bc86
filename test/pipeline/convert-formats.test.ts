/** Every output format from the stand-in site, verified with ffprobe. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, stat, truncate } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type ConvertContext, convert, type EntryReport } from '../../src/pipeline/convert.ts';
import { parseSource } from '../../src/pipeline/sources.ts';
import type { ConvertOptions, Engine } from '../../src/pipeline/types.ts';
import { tempDir, testEngine } from '../helpers/engine.ts';
import { attachedPicture, audioOf, audioPacketHash, coverOf, ffprobe, loudness, tagsOf } from '../helpers/ffprobe.ts';
import { childProcesses } from '../helpers/procfs.ts';
import { type Site, startSite } from '../site/server.ts';

let site: Site;
let engine: Engine;

before(async () => {
  site = await startSite();
  engine = await testEngine({ pluginDir: site.pluginDir });
});
after(() => site.close());

async function run(
  url: string,
  options: Partial<ConvertOptions> = {},
  limits: Partial<Engine['limits']> = {},
  hooks: Pick<ConvertContext, 'onCover'> = {},
) {
  const outDir = await tempDir();
  const entries: EntryReport[] = [];
  const result = await convert(
    parseSource(url, { allowFiles: false }),
    { format: 'mp3', splitChapters: false, normalize: false, ...options },
    {
      engine: { ...engine, limits: { ...engine.limits, ...limits } },
      outDir,
      onEntry: (e) => entries.push(e),
      ...hooks,
    },
  );
  return { ...result, outDir, entries };
}

/** Each report as [index, title, status, error code]. */
const briefly = (reports: EntryReport[]) =>
  reports.map((r) => [r.index, r.title, r.status, 'error' in r ? r.error.code : null]);

const close = (actual: number, expected: number, tolerance = 0.15) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

describe('converting a video', () => {
  it('makes a 192 kbps CBR MP3 with tags, a square cover and exact chapters', async () => {
    const handed: Buffer[] = [];
    const onCover = async (path: string) => void handed.push(await readFile(path));
    const { files } = await run(site.watchUrl('basic'), {}, {}, { onCover });
    assert.equal(files.length, 1);
    const file = files[0]!;
    assert.match(file.path, /Test Artist - Sine Song\.mp3$/);
    const p = await ffprobe(file.path);
    assert.equal(audioOf(p).codec_name, 'mp3');
    assert.equal(audioOf(p).bit_rate, '192000');
    close(Number(p.format.duration), 12);
    const tags = tagsOf(p);
    assert.equal(tags.title, 'Sine Song');
    assert.equal(tags.artist, 'Test Artist');
    assert.equal(tags.date, '2024-01-31');
    assert.equal(tags.comment, site.watchUrl('basic'));
    const cover = coverOf(p);
    assert.ok(cover, 'has an attached cover');
    assert.equal(cover.width, cover.height);
    assert.equal(handed.length, 1, 'the cover is handed over once');
    assert.ok(handed[0]?.equals(await attachedPicture(file.path)), 'the very picture in the file');
    assert.deepEqual(
      p.chapters.map((c) => [Number(c.start_time), Number(c.end_time), c.tags?.title]),
      [
        [0, 4, 'Intro'],
        [4, 8.5, 'Middle'],
        [8.5, 12, 'Outro'],
      ],
    );
    assert.equal(file.bitrate, 192000);
    close(file.duration, 12);
  });

  it('copies Opus from the WebM source without re-encoding', async () => {
    const { files } = await run(site.watchUrl('basic'), { format: 'opus' });
    const p = await ffprobe(files[0]!.path);
    assert.equal(audioOf(p).codec_name, 'opus');
    assert.equal(await audioPacketHash(files[0]!.path), await audioPacketHash(site.mediaPath('basic', '251')));
    assert.equal(tagsOf(p).title, 'Sine Song');
    assert.ok(coverOf(p), 'Opus carries the cover as METADATA_BLOCK_PICTURE');
    assert.equal(p.chapters.length, 3);
  });

  it('copies AAC from the M4A source into M4A with cover and chapters', async () => {
    const { files } = await run(site.watchUrl('basic'), { format: 'm4a' });
    const p = await ffprobe(files[0]!.path);
    assert.equal(audioOf(p).codec_name, 'aac');
    assert.equal(await audioPacketHash(files[0]!.path), await audioPacketHash(site.mediaPath('basic', '140')));
    assert.ok(coverOf(p));
    assert.equal(p.chapters.length, 3);
    assert.equal(tagsOf(p).artist, 'Test Artist');
  });

  for (const [format, codec] of [
    ['ogg', 'vorbis'],
    ['flac', 'flac'],
    ['wav', 'pcm_s16le'],
  ] as const) {
    it(`encodes ${format} as ${codec} with its tags`, async () => {
      const { files } = await run(site.watchUrl('plain'), { format });
      const p = await ffprobe(files[0]!.path);
      assert.equal(audioOf(p).codec_name, codec);
      close(Number(p.format.duration), 6);
      assert.equal(tagsOf(p).title, 'Plain Tone Video');
      if (format !== 'wav') assert.ok(coverOf(p), 'has a cover');
    });
  }

  it('encodes at the requested bitrate, and MP3 VBR presets', async () => {
    const cbr = await run(site.watchUrl('plain'), { quality: '128k' });
    assert.equal(audioOf(await ffprobe(cbr.files[0]!.path)).bit_rate, '128000');
    const opus = await run(site.watchUrl('plain'), { format: 'opus', quality: '96k' });
    assert.notEqual(await audioPacketHash(opus.files[0]!.path), await audioPacketHash(site.mediaPath('plain', '251')));
    const vbr = await run(site.watchUrl('plain'), { quality: 'V6' });
    assert.ok(vbr.files[0]!.bitrate < 150_000, `V6 averages well under 192k, got ${vbr.files[0]!.bitrate}`);
  });

  it('trims to the start and end, keeping the chapters inside, shifted', async () => {
    const { files } = await run(site.watchUrl('basic'), { start: 3, end: 9.5 });
    const p = await ffprobe(files[0]!.path);
    close(Number(p.format.duration), 6.5);
    assert.deepEqual(
      p.chapters.map((c) => [Number(c.start_time), Number(c.end_time), c.tags?.title]),
      [
        [0, 1, 'Intro'],
        [1, 5.5, 'Middle'],
        [5.5, 6.5, 'Outro'],
      ],
    );
  });

  it('ends the download when a trim of a long stream is done, leaving no child behind', {
    timeout: 60_000,
  }, async () => {
    // Megabytes of media: once ffmpeg has its 3.5 s it stops reading and yt-dlp must not wait on the pipe.
    const { files } = await run(site.watchUrl('lengthy'), { start: 10, end: 13.5 });
    close(Number((await ffprobe(files[0]!.path)).format.duration), 3.5);
    assert.deepEqual(await childProcesses(), []);
    assert.deepEqual(await readdir(engine.tmpDir), []);
  });

  it('splits by chapters into numbered files named after the video too, which is their album', async () => {
    const { files } = await run(site.watchUrl('basic'), { splitChapters: true });
    assert.deepEqual(
      files.map((f) => f.path.split('/').at(-1)),
      [
        '01 - Intro (Test Artist - Sine Song).mp3',
        '02 - Middle (Test Artist - Sine Song).mp3',
        '03 - Outro (Test Artist - Sine Song).mp3',
      ],
    );
    assert.deepEqual(
      files.map((f) => f.unsplit),
      [false, false, false],
    );
    const expected = [4, 4.5, 3.5];
    for (const [i, f] of files.entries()) {
      const p = await ffprobe(f.path);
      close(Number(p.format.duration), expected[i]!);
      const tags = tagsOf(p);
      assert.equal(tags.track, `${i + 1}/3`);
      assert.equal(tags.album, 'Test Artist - Sine Song');
      assert.equal(tags.artist, 'Test Artist');
      assert.ok(coverOf(p));
    }
  });

  it('normalises loudness to -14 LUFS', async () => {
    const { files } = await run(site.watchUrl('plain'), { normalize: true, format: 'flac' });
    const lufs = await loudness(files[0]!.path);
    close(lufs, -14, 1);
    const p = await ffprobe(files[0]!.path);
    close(Number(p.format.duration), 6);
    assert.equal(audioOf(p).sample_rate, '48000');
  });

  it('uses the artist, track and album a music site gives', async () => {
    const { files } = await run(site.watchUrl('music'));
    const tags = tagsOf(await ffprobe(files[0]!.path));
    assert.deepEqual([tags.artist, tags.title, tags.album], ['Music Artist', 'Music Track', 'Music Album']);
  });

  // The timeout is the point: the thumbnail fetch itself gives up only after 30 s. The media is
  // short enough to be all downloaded while the encode waits: none of it may be lost meanwhile.
  it('goes on without a cover whose host stalls, tags and all, instead of waiting for it', {
    timeout: 20_000,
  }, async () => {
    const { files } = await run(site.watchUrl('slowcover'));
    const probed = await ffprobe(files[0]!.path);
    assert.equal(tagsOf(probed).title, 'Stalled Thumbnail');
    assert.deepEqual(
      probed.streams.map((s) => s.codec_type),
      ['audio'],
      'no picture stream',
    );
  });
});

describe('converting a playlist', () => {
  it('makes one numbered file per entry with the playlist as album', async () => {
    // Exactly as many entries as the limit allows.
    const { files, outDir } = await run(site.playlistUrl('mix'), {}, { maxPlaylistEntries: 3 });
    assert.deepEqual((await readdir(outDir)).sort(), [
      '01 - Test Artist - Sine Song.mp3',
      '02 - Plain Tone Video.mp3',
      '03 - Second Tone.mp3',
    ]);
    for (const [i, f] of files.entries()) {
      const tags = tagsOf(await ffprobe(f.path));
      assert.equal(tags.album, 'Stand-in Mix');
      assert.equal(tags.track, `${i + 1}/3`);
    }
  });

  it('reports each entry by position, titled from the listing, as it starts and ends', async () => {
    const { files, entries } = await run(site.playlistUrl('withbad'));
    assert.deepEqual(briefly(entries), [
      [1, 'Plain Tone Video', 'running', null],
      [1, 'Plain Tone Video', 'done', null],
      [2, '[Private video]', 'running', null],
      [2, '[Private video]', 'failed', 'unavailable'],
      [3, 'Second Tone', 'running', null],
      [3, 'Second Tone', 'done', null],
    ]);
    const failed = entries.find((e) => e.status === 'failed');
    assert.match(failed && 'error' in failed ? failed.error.message : '', /private/i);
    const reported = entries.flatMap((e) => (e.status === 'done' ? e.files : []));
    assert.deepEqual(reported, files, 'the done reports carry every file, already in place');
  });

  it('tells a video that appears twice apart by its position', async () => {
    const { files, entries } = await run(site.playlistUrl('twice'));
    assert.deepEqual(briefly(entries.filter((e) => e.status !== 'running')), [
      [1, 'Plain Tone Video', 'done', null],
      [2, 'Second Tone', 'done', null],
      [3, 'Plain Tone Video', 'done', null],
    ]);
    assert.deepEqual(
      files.map((f) => basename(f.path)),
      ['01 - Plain Tone Video.mp3', '02 - Second Tone.mp3', '03 - Plain Tone Video.mp3'],
    );
  });

  it('names files with the quotes of their titles, and stores them under names valid everywhere', async () => {
    const { files } = await run(site.playlistUrl('quoted'), { format: 'opus' });
    assert.deepEqual(
      files.map((f) => [f.name, basename(f.path)]),
      [
        ['01 - Say "Hi".opus', "01 - Say 'Hi'.opus"],
        ['02 - Second Tone.opus', '02 - Second Tone.opus'],
      ],
    );
  });
});

describe('converting direct media links', () => {
  it('copies a direct MP3 as it is', async () => {
    const { files } = await run(site.fileUrl('tone.mp3'));
    assert.equal(await audioPacketHash(files[0]!.path), await audioPacketHash(site.filePath('tone.mp3')));
  });

  // The generic extractor names their formats "webm" and "mp4", which a bare `-f` does not take as ids.
  for (const [name, codec] of [
    ['tone.webm', 'opus'],
    ['tone-audio-only.mp4', 'aac'],
  ] as const) {
    it(`converts a direct audio-only ${name}`, async () => {
      const { files } = await run(site.fileUrl(name), { format: 'm4a' });
      const p = await ffprobe(files[0]!.path);
      assert.equal(audioOf(p).codec_name, 'aac');
      close(Number(p.format.duration), 4);
      assert.equal(audioOf(await ffprobe(site.filePath(name))).codec_name, codec);
    });
  }

  it('downloads an M4A whose index is at the end before converting it', async () => {
    const { files } = await run(site.fileUrl('tone-moov-at-end.m4a'), { format: 'ogg' });
    const p = await ffprobe(files[0]!.path);
    assert.equal(audioOf(p).codec_name, 'vorbis');
    close(Number(p.format.duration), 4);
  });
});

describe('converting local files', () => {
  it('takes the audio of a video file', async () => {
    const outDir = await tempDir();
    const { files } = await convert(
      parseSource(site.mediaPath('basic', '18'), { allowFiles: true }),
      { format: 'm4a', splitChapters: false, normalize: false },
      { engine, outDir },
    );
    const p = await ffprobe(files[0]!.path);
    assert.equal(audioOf(p).codec_name, 'aac');
    assert.equal(p.streams.filter((s) => s.codec_type === 'video' && !s.disposition?.attached_pic).length, 0);
    close(Number(p.format.duration), 12);
  });

  it('keeps the audio of a file cut off at a third, and says where it ended and how long it claimed to be', async () => {
    const dir = await tempDir('ytconv-test-cut-');
    const path = join(dir, 'Cut Off.webm');
    await promisify(execFile)('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=30',
      '-c:a',
      'libopus',
      path,
    ]);
    await truncate(path, Math.floor((await stat(path)).size / 3));
    const source = parseSource(path, { allowFiles: true });
    const options = { splitChapters: false, normalize: false } as const;
    for (const format of ['opus', 'mp3'] as const) {
      const { files } = await convert(source, { ...options, format }, { engine, outDir: await tempDir() });
      const { at, of } = files[0]?.truncated ?? assert.fail(`${format}: not flagged as truncated`);
      close(of, 30, 0.1);
      close(at, 10, 1.5);
      close(files[0]!.duration, at, 0.2);
    }
  });

  it('flags nothing for a file that is whole', async () => {
    const { files } = await convert(
      parseSource(site.mediaPath('basic', '251'), { allowFiles: true }),
      { format: 'mp3', splitChapters: false, normalize: false },
      { engine, outDir: await tempDir() },
    );
    assert.equal(files[0]?.truncated, null);
  });
});
