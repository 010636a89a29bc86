/** Tags a music library can use, read back with ffprobe (and, where ffprobe hides it, from the bytes). */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { convert } from '../../src/pipeline/convert.ts';
import { parseSource } from '../../src/pipeline/sources.ts';
import type { AudioFormat, ConvertOptions, Engine } from '../../src/pipeline/types.ts';
import { tempDir, testEngine } from '../helpers/engine.ts';
import { ffprobe, loudness, samplePeak, tagsOf } from '../helpers/ffprobe.ts';
import { type Site, startSite } from '../site/server.ts';

const exec = promisify(execFile);

let site: Site;
let engine: Engine;

before(async () => {
  site = await startSite();
  engine = await testEngine({ pluginDir: site.pluginDir });
});
after(() => site.close());

async function run(url: string, options: Partial<ConvertOptions> = {}) {
  const outDir = await tempDir();
  const convertOptions = { format: 'mp3' as const, splitChapters: false, normalize: false, ...options };
  return convert(parseSource(url, { allowFiles: false }), convertOptions, { engine, outDir });
}

/** A Vorbis comment field as it is stored: its length (32-bit little-endian), then `key=value`. */
function vorbisField(text: string): Buffer {
  const bytes = Buffer.from(text);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An ID3v2.4 text frame's contents: UTF-8 (3), then the values, each ending with a NUL. */
function id3Text(values: string[]): Buffer {
  return Buffer.from(`\x03${values.map((v) => `${v}\x00`).join('')}`);
}

const DUET = ['Artist One', 'Artist Two'];

/** Per format: what ffprobe shows of several artists, and the bytes that hold them as several values. */
const SEVERAL: Record<Exclude<AudioFormat, 'wav'>, { shown: string; stored: Buffer[] }> = {
  // ffmpeg 5.1 reads only the first value of an ID3v2.4 frame; players read them all.
  mp3: { shown: 'Artist One', stored: [id3Text(DUET)] },
  // One value per tag: joined.
  m4a: { shown: 'Artist One, Artist Two', stored: [] },
  // ffmpeg shows repeated Vorbis comment fields joined with ";".
  opus: { shown: 'Artist One;Artist Two', stored: DUET.map((a) => vorbisField(`artist=${a}`)) },
  ogg: { shown: 'Artist One;Artist Two', stored: DUET.map((a) => vorbisField(`artist=${a}`)) },
  flac: { shown: 'Artist One;Artist Two', stored: DUET.map((a) => vorbisField(`artist=${a}`)) },
};

describe('tags for a music library', () => {
  for (const [format, expected] of Object.entries(SEVERAL) as [AudioFormat, (typeof SEVERAL)['mp3']][]) {
    it(`${format}: release date, several artists as several values, track title and album artist`, async () => {
      const { files } = await run(site.watchUrl('duet'), { format });
      const path = files[0]!.path;
      const tags = tagsOf(await ffprobe(path));
      assert.equal(tags.date, '2019-03-15', 'the release date, not the upload date');
      assert.equal(tags.title, 'Duet Song');
      assert.equal(tags.artist, expected.shown);
      assert.equal(tags.album, 'Duet Album');
      assert.equal(tags.album_artist, 'Artist One, Artist Two');
      const bytes = await readFile(path);
      for (const stored of expected.stored)
        assert.ok(bytes.includes(stored), `stores ${JSON.stringify(String(stored))}`);
      // What was changed in place left a valid file (Ogg's page checksums too): it decodes without a complaint.
      const decoded = await exec('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-']);
      assert.equal(decoded.stderr, '');
    });
  }

  it('takes a " - Topic" channel as the artist, the whole title as the track, and a release year', async () => {
    const { files } = await run(site.watchUrl('topic'), { format: 'opus' });
    const tags = tagsOf(await ffprobe(files[0]!.path));
    assert.deepEqual([tags.artist, tags.title, tags.date], ['Topic Artist', 'Topic Song - 2011 Remaster', '2011']);
  });

  it("splits older yt-dlp's comma-joined artists", async () => {
    const { files } = await run(site.watchUrl('legacy'), { format: 'flac' });
    assert.equal(tagsOf(await ffprobe(files[0]!.path)).artist, 'Old One;Old Two');
  });

  it('tags a playlist of several artists as one album by "Various Artists", track n/N on disc 1/1', async () => {
    const { files } = await run(site.playlistUrl('artists'), { format: 'm4a' });
    const tags = await Promise.all(files.map(async (f) => tagsOf(await ffprobe(f.path))));
    assert.deepEqual(
      tags.map((t) => [t.album, t.album_artist, t.track, t.disc, t.artist]),
      [
        ['Stand-in Various', 'Various Artists', '1/2', '1/1', 'Artist One, Artist Two'],
        ['Stand-in Various', 'Various Artists', '2/2', '1/1', 'Topic Artist'],
      ],
    );
  });
});

/** The loudness a file's gain tags claim, in LUFS: ReplayGain's relative to −18, Opus's R128 to −23 in 1/256 dB. */
function claimedLoudness(tags: Record<string, string>, which: 'track' | 'album'): number {
  const r128 = tags[`r128_${which}_gain`];
  if (r128 !== undefined) return -23 - Number(r128) / 256;
  const gain = /^([-+]?[\d.]+) dB$/.exec(tags[`replaygain_${which}_gain`] ?? '')?.[1];
  assert.ok(gain !== undefined, `a ${which} gain in ${JSON.stringify(tags)}`);
  return -18 - Number(gain);
}

const within = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} is not within ${tolerance} of ${expected}`);

describe('ReplayGain tags', () => {
  // Measured on each file as encoded: LAME at 192k makes the stand-in's pure tones 0.27 dB quieter than their source.
  for (const format of ['mp3', 'm4a', 'flac', 'ogg', 'opus'] as const) {
    it(`${format}: track gain within 0.1 dB of ffmpeg's EBU R128 measurement of the file`, async () => {
      const { files } = await run(site.watchUrl('topic'), { format, replaygain: true });
      const path = files[0]!.path;
      const tags = tagsOf(await ffprobe(path));
      within(claimedLoudness(tags, 'track'), await loudness(path), 0.1, 'track loudness');
      assert.equal(tags.replaygain_album_gain ?? tags.r128_album_gain, undefined, 'a single video is no album');
      if (format === 'opus') return assert.equal(tags.replaygain_track_peak, undefined, 'RFC 7845: no peak');
      within(Number(tags.replaygain_track_peak), await samplePeak(path), 0.01, 'sample peak');
      // What was changed in place left a valid file: it decodes without a complaint.
      assert.equal((await exec('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'])).stderr, '');
    });
  }

  it('is refused together with normalize, which changes the loudness it would state', async () => {
    await assert.rejects(run(site.watchUrl('plain'), { replaygain: true, normalize: true }), {
      code: 'invalid_option',
      field: 'replaygain',
    });
  });

  it("gives a playlist's files the loudness of all of them together as album gain", async () => {
    const { files } = await run(site.playlistUrl('artists'), { format: 'opus', replaygain: true });
    const paths = files.map((f) => f.path);
    assert.equal(paths.length, 2);
    const tags = await Promise.all(paths.map(async (p) => tagsOf(await ffprobe(p))));
    const album = await loudness(...paths);
    for (const t of tags) within(claimedLoudness(t, 'album'), album, 0.1, 'album loudness');
    const tracks = tags.map((t) => claimedLoudness(t, 'track'));
    assert.ok(Math.abs(tracks[0]! - tracks[1]!) > 5, 'the entries differ in loudness');
    // The sizes reported when each entry was done are still the files' own: the gains were written in place.
    for (const f of files) assert.equal((await stat(f.path)).size, f.size);
  });

  it("gives a chapter split the loudness of all its chapters together as album gain, not their gains' mean", async () => {
    const source = join(await tempDir(), 'loud-then-quiet.mkv');
    await writeFile(`${source}.ffmeta`, CHAPTERS);
    await exec('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=500:duration=4,volume=-3dB'],
      ...[
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=700:duration=4,volume=-23dB',
        '-f',
        'ffmetadata',
        '-i',
        `${source}.ffmeta`,
      ],
      ...['-filter_complex', '[0][1]concat=n=2:v=0:a=1', '-map_chapters', '2', '-c:a', 'flac', '-y', source],
    ]);
    const outDir = await tempDir();
    const options = { format: 'flac' as const, splitChapters: true, normalize: false, replaygain: true };
    const { files } = await convert(parseSource(source, { allowFiles: true }), options, { engine, outDir });
    const paths = files.map((f) => f.path);
    assert.equal(paths.length, 2);
    const tags = await Promise.all(paths.map(async (p) => tagsOf(await ffprobe(p))));
    for (const [i, path] of paths.entries()) {
      within(claimedLoudness(tags[i]!, 'track'), await loudness(path), 0.1, `track ${i + 1}`);
    }
    const album = await loudness(...paths);
    for (const t of tags) within(claimedLoudness(t, 'album'), album, 0.1, 'album loudness');
    const tracks = tags.map((t) => claimedLoudness(t, 'track'));
    assert.ok(Math.abs(album - (tracks[0]! + tracks[1]!) / 2) > 5, 'the album is not the mean of its tracks');
  });
});

const CHAPTERS =
  ';FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=4000\ntitle=Loud\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=4000\nEND=8000\ntitle=Quiet\n';
