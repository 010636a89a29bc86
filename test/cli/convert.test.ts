/** `ytconv convert` and `ytconv info` as a user runs them: the real launcher, a real process. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/engine.ts';
import { audioOf, ffprobe } from '../helpers/ffprobe.ts';
import { processesMentioning } from '../helpers/procfs.ts';
import { type Site, startSite } from '../site/server.ts';

const exec = promisify(execFile);
const YTCONV = join(import.meta.dirname, '..', '..', 'bin', 'ytconv');

let site: Site;
before(async () => {
  site = await startSite();
});
after(() => site.close());

async function ytconv(
  args: string[],
  settings: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    PYTHONPATH: site.pluginDir,
    YTCONV_ALLOWED_SITES: '*',
    YTCONV_ALLOW_PRIVATE_ADDRESSES: 'yes',
    ...settings,
  };
  // A hung conversion fails the test instead of hanging it.
  return exec(YTCONV, args, { env, timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
}

describe('ytconv convert --json', () => {
  it('prints the files it made', async () => {
    const outDir = await tempDir();
    const { code, stdout } = await ytconv([
      'convert',
      site.watchUrl('plain'),
      '-f',
      'm4a',
      '-q',
      '128k',
      '-o',
      outDir,
      '--json',
    ]);
    assert.equal(code, 0);
    const { files } = JSON.parse(stdout) as { files: Record<string, unknown>[] };
    assert.equal(files.length, 1);
    const file = files[0]!;
    assert.deepEqual(Object.keys(file).sort(), [
      'bitrate',
      'duration',
      'format',
      'path',
      'size',
      'sponsorblock',
      'title',
      'truncated',
      'unsplit',
    ]);
    assert.equal(file.truncated, null);
    assert.equal(file.unsplit, false);
    assert.equal(file.sponsorblock, null);
    assert.equal(file.path, join(outDir, 'Plain Tone Video.m4a'));
    assert.equal(file.format, 'm4a');
    assert.equal(audioOf(await ffprobe(file.path as string)).codec_name, 'aac');
  });

  it('trims a link far larger than a pipe buffer, ends, and leaves no child or work directory', async () => {
    const [outDir, tmpDir] = await Promise.all([tempDir(), tempDir('ytconv-test-tmp-')]);
    const { code, stdout } = await ytconv(
      ['convert', site.watchUrl('lengthy'), '--start', '0', '--end', '2', '-o', outDir, '--json'],
      { YTCONV_TMP_DIR: tmpDir },
    );
    assert.equal(code, 0, stdout);
    const { files } = JSON.parse(stdout) as { files: { path: string }[] };
    const duration = Number((await ffprobe(files[0]!.path)).format.duration);
    assert.ok(Math.abs(duration - 2) <= 0.15, `lasts ${duration} s`);
    assert.deepEqual(await processesMentioning(tmpDir), []);
    assert.deepEqual(await readdir(tmpDir), []);
  });

  it('names a playlist entry it could not convert, beside the files it made', async () => {
    const { code, stdout } = await ytconv(['convert', site.playlistUrl('withbad'), '-o', await tempDir(), '--json']);
    assert.equal(code, 0);
    const { files, skipped } = JSON.parse(stdout) as {
      files: { title: string }[];
      skipped: { index: number; title: string; error: { code: string } }[];
    };
    assert.deepEqual(
      files.map((f) => f.title),
      ['Plain Tone Video', 'Second Tone'],
    );
    assert.deepEqual(
      skipped.map((s) => [s.index, s.title, s.error.code]),
      [[2, '[Private video]', 'unavailable']],
    );
  });

  it('converts only the entries --items chooses, into the album’s folder with its M3U8', async () => {
    const outDir = await tempDir();
    const { code, stdout } = await ytconv([
      'convert',
      site.playlistUrl('mix'),
      '--items',
      '3,2',
      '-o',
      outDir,
      '--json',
    ]);
    assert.equal(code, 0, stdout);
    const album = join(outDir, 'Stand-in Mix');
    const { files } = JSON.parse(stdout) as { files: { path: string }[] };
    assert.deepEqual(
      files.map((f) => f.path),
      [join(album, '02 - Plain Tone Video.mp3'), join(album, '03 - Second Tone.mp3')],
    );
    assert.deepEqual((await readdir(album)).sort(), [
      '02 - Plain Tone Video.mp3',
      '03 - Second Tone.mp3',
      'Stand-in Mix.m3u8',
    ]);
    assert.equal(
      await readFile(join(album, 'Stand-in Mix.m3u8'), 'utf8'),
      '#EXTM3U\n#EXTINF:6,Stand-in Channel - Plain Tone Video\n02 - Plain Tone Video.mp3\n#EXTINF:5,Stand-in Channel - Second Tone\n03 - Second Tone.mp3\n',
    );
  });

  it('refuses a bad --items before reading the link', async () => {
    const before = site.requests.length;
    const { code, stdout } = await ytconv(['convert', site.playlistUrl('mix'), '--items', '1-x', '--json']);
    assert.equal(code, 1);
    const { error } = JSON.parse(stdout) as { error: { code: string; message: string } };
    assert.equal(error.code, 'invalid_option');
    assert.match(error.message, /"1-x"/);
    assert.equal(site.requests.length, before);
  });

  it('prints the error code and message and exits non-zero', async () => {
    const { code, stdout } = await ytconv(['convert', site.watchUrl('removed'), '-o', await tempDir(), '--json']);
    assert.equal(code, 1);
    const { error } = JSON.parse(stdout) as { error: { code: string; message: string } };
    assert.equal(error.code, 'unavailable');
    assert.equal(error.message, 'This video has been removed.');
  });

  it('refuses bad options before doing anything', async () => {
    const { code, stdout } = await ytconv(['convert', site.watchUrl('plain'), '--start', 'soon', '--json']);
    assert.equal(code, 1);
    assert.equal((JSON.parse(stdout) as { error: { code: string } }).error.code, 'invalid_option');
  });
});

describe('ytconv convert of a file that ends early', () => {
  let path: string;
  before(async () => {
    path = join(await tempDir(), 'Cut Short.mp3');
    await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=30', '-b:a', '96k', path]);
    await truncate(path, Math.floor((await stat(path)).size / 3));
  });

  it('says where it ended, as the page does', async () => {
    const outDir = await tempDir();
    const { code, stdout, stderr } = await ytconv(['convert', path, '-f', 'opus', '-o', outDir]);
    assert.equal(code, 0, stderr);
    const made = join(outDir, 'Cut Short.opus');
    assert.equal(stdout, `${made}\n`);
    assert.match(
      stderr,
      new RegExp(`^ytconv: ${made}: the file ended at 0:1\\d of 0:30; this is all the audio it had\\.$`, 'm'),
    );
  });

  it('gives where it ended in --json', async () => {
    const { code, stdout } = await ytconv(['convert', path, '-f', 'opus', '-o', await tempDir(), '--json']);
    assert.equal(code, 0);
    const [file] = (JSON.parse(stdout) as { files: { truncated: { at: number; of: number } | null }[] }).files;
    assert.ok(file?.truncated, stdout);
    assert.ok(Math.abs(file.truncated.of - 30) < 0.1 && file.truncated.at < 12, JSON.stringify(file.truncated));
  });
});

describe('ytconv convert --split-chapters on a video without chapters', () => {
  it('makes one whole file and says why it is not split, on stderr and in --json', async () => {
    const outDir = await tempDir();
    const { code, stdout, stderr } = await ytconv([
      'convert',
      site.watchUrl('plain'),
      '--split-chapters',
      '-o',
      outDir,
    ]);
    assert.equal(code, 0, stderr);
    const made = join(outDir, 'Plain Tone Video.mp3');
    assert.equal(stdout, `${made}\n`);
    assert.match(
      stderr,
      new RegExp(`^ytconv: ${made}: not split: the media has no chapters, so this is all of it in one file\\.$`, 'm'),
    );
    const json = await ytconv(['convert', site.watchUrl('plain'), '--split-chapters', '-o', outDir, '--json']);
    const { files } = JSON.parse(json.stdout) as { files: { unsplit: boolean }[] };
    assert.deepEqual(
      files.map((f) => f.unsplit),
      [true],
    );
  });
});

describe('ytconv convert --sponsorblock', () => {
  it('removes the segments the API knows, and says so in --json', async () => {
    const settings = { YTCONV_SPONSORBLOCK_API: site.origin };
    const args = ['convert', site.watchUrl('sponsored'), '--sponsorblock', 'remove', '-f', 'flac', '--json'];
    const { code, stdout } = await ytconv([...args, '-o', await tempDir()], settings);
    assert.equal(code, 0, stdout);
    const [file] = (JSON.parse(stdout) as { files: { path: string; sponsorblock: { segments: unknown[] } }[] }).files;
    assert.equal(file?.sponsorblock.segments.length, 3);
    // 12 s less the intro (1.5), the sponsor (2.25) and the self-promotion (1.25).
    assert.equal(Number((await ffprobe(file.path)).format.duration), 7);
  });

  it('converts whole and says why when the API cannot be reached', async () => {
    const outDir = await tempDir();
    const settings = { YTCONV_SPONSORBLOCK_API: 'http://127.0.0.1:9' };
    const { code, stdout, stderr } = await ytconv(
      ['convert', site.watchUrl('sponsored'), '--sponsorblock', 'mark', '-o', outDir],
      settings,
    );
    assert.equal(code, 0, stderr);
    assert.match(stderr, /^ytconv: .*Sponsored Talk\.mp3: The SponsorBlock API could not be reached: /m);
    assert.ok(stdout.endsWith('Sponsored Talk.mp3\n'));
  });

  for (const [args, field] of [
    [['--sponsorblock', 'skip'], /SponsorBlock takes off, mark or remove/],
    [
      ['--sponsorblock', 'remove', '--sponsorblock-categories', 'sponsor,--exec=rm'],
      /"--exec=rm" is not a SponsorBlock category/,
    ],
    [['--bogus'], /^There is no option --bogus\. Run ytconv --help\.$/],
    [['--split-chapters=3'], /^--split-chapters is on or off: it takes no value\./],
  ] as const) {
    it(`refuses ${args.join(' ')} before doing anything`, async () => {
      const before = site.requests.length;
      const { code, stdout } = await ytconv(['convert', site.watchUrl('sponsored'), ...args, '--json']);
      assert.equal(code, 1);
      const { error } = JSON.parse(stdout) as { error: { code: string; message: string } };
      assert.equal(error.code, 'invalid_option');
      assert.match(error.message, field);
      assert.equal(site.requests.length, before, 'nothing was asked of the site');
    });
  }
});

describe('ytconv info', () => {
  it('describes a video without downloading it', async () => {
    const { code, stdout } = await ytconv(['info', site.watchUrl('basic'), '--json']);
    assert.equal(code, 0);
    const info = JSON.parse(stdout) as { title: string; duration: number; chapters: unknown[]; uploader: string };
    assert.equal(info.title, 'Test Artist - Sine Song');
    assert.equal(info.uploader, 'Stand-in Channel');
    assert.equal(info.chapters.length, 3);
    assert.equal(site.requests.filter((r) => r.path.startsWith(`/media/${site.video('basic').id}`)).length, 0);
  });
});
