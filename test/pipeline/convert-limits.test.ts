/** Every long child has limits: a stalled or endless download or encode ends, and leaves nothing. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { convert } from '../../src/pipeline/convert.ts';
import { downloadFile } from '../../src/pipeline/fetch.ts';
import { encodeArgs } from '../../src/pipeline/ffmpeg-args.ts';
import { openSession } from '../../src/pipeline/session.ts';
import { parseSource } from '../../src/pipeline/sources.ts';
import { ffmpegEncode } from '../../src/pipeline/transcode.ts';
import type { ConvertOptions } from '../../src/pipeline/types.ts';
import { extract } from '../../src/pipeline/ytdlp.ts';
import { tempDir, testEngine } from '../helpers/engine.ts';
import { childProcesses, processesMentioning } from '../helpers/procfs.ts';
import { type Site, startSite } from '../site/server.ts';

const exec = promisify(execFile);

let site: Site;
before(async () => {
  site = await startSite();
});
after(() => site.close());

const IDLE_SEC = 2;

describe('a source that stops sending', () => {
  const one = { cores: () => 1, minDurationSec: 10 };
  const two = { cores: () => 2, minDurationSec: 10 };
  for (const [path, video, options, parallel] of [
    ['streamed into the encoder', 'stall', {}, one],
    ['streamed into two segment encoders', 'stalllong', {}, two],
    ['downloaded to a file first', 'stall', { normalize: true }, one],
  ] as const) {
    it(`fails as network within the idle timeout when ${path}, leaving no child and no work dir`, async (t) => {
      const base = await testEngine({ pluginDir: site.pluginDir, limits: { idleTimeoutSec: IDLE_SEC } });
      const engine = { ...base, parallel };
      const opts: ConvertOptions = { format: 'mp3', splitChapters: false, normalize: false, ...options };
      const outDir = await tempDir();
      const err = await convert(parseSource(site.watchUrl(video), { allowFiles: false }), opts, {
        engine,
        outDir,
      }).then(
        () => assert.fail('a stalled download cannot succeed'),
        (e: { code: string; message: string }) => e,
      );
      const failedAt = Date.now();
      assert.equal(err.code, 'network');
      assert.equal(err.message, `The site stopped sending data for ${IDLE_SEC} s.`);
      const media = site.requests.filter((r) => r.path.startsWith(`/media/${site.video(video).id}`));
      const stalledFor = failedAt - (media.at(-1)?.at ?? 0);
      t.diagnostic(`failed ${stalledFor} ms after the media request that stalled`);
      assert.ok(
        stalledFor >= IDLE_SEC * 1000 && stalledFor < IDLE_SEC * 1000 + 1500,
        `failed ${stalledFor} ms after the stall`,
      );
      assert.deepEqual(await childProcesses(), []);
      assert.deepEqual(await processesMentioning(engine.tmpDir), []);
      assert.deepEqual(await readdir(engine.tmpDir), []);
      assert.deepEqual(await readdir(outDir), []);
    });
  }
});

describe('a download over its overall cap', () => {
  it('ends as network, saying so', async () => {
    // The slow video trickles for about 5 s: steady progress, so only the overall cap ends it.
    const engine = await testEngine({ pluginDir: site.pluginDir });
    const session = await openSession(engine);
    const dir = await tempDir();
    try {
      const info = await extract(session.ytdlp, site.watchUrl('slow'), { formatSpec: '251', maxEntries: 1 });
      assert.equal(info.kind, 'media');
      await writeFile(join(dir, 'info.json'), info.json);
      const err = await downloadFile(session.ytdlp, join(dir, 'info.json'), info.format, dir, {
        maxBytes: null,
        limits: { timeoutMs: 2000, idleTimeoutMs: 60_000 },
        onDownload: () => {},
      }).then(
        () => assert.fail('the download should have been cut off'),
        (e: { code: string; message: string }) => e,
      );
      assert.equal(err.code, 'network');
      assert.match(err.message, /^The download took longer than 2 s, the most this server allows/);
      assert.deepEqual(await childProcesses(), []);
    } finally {
      await session.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a local encode', () => {
  it('that stops making progress ends as internal', async () => {
    const engine = await testEngine({ pluginDir: site.pluginDir });
    const dir = await tempDir();
    const fifo = join(dir, 'input.webm');
    await exec('mkfifo', [fifo]);
    const metadata = join(dir, 'tags.ffmeta');
    await writeFile(metadata, ';FFMETADATA1\ntitle=Hung\n');
    const tags = { metadata, cover: null };
    const args = encodeArgs(fifo, join(dir, 'out.mp3'), { format: 'mp3', copy: false, tags });
    const encoding = ffmpegEncode(engine.tools, args, { limits: { timeoutMs: 60_000, idleTimeoutMs: 1000 } });
    // Half a megabyte of a stream, then the input stays open and silent, like a hung disk.
    const writer = await open(fifo, 'w');
    await writer.write((await readFile(site.mediaPath('lengthy', '251'))).subarray(0, 512 * 1024));
    const err = await encoding.then(
      () => assert.fail('the encode should have been ended'),
      (e: { code: string; message: string }) => e,
    );
    await writer.close();
    assert.equal(err.code, 'internal');
    assert.equal(err.message, 'Converting made no progress for 1 s.');
    assert.deepEqual(await childProcesses(), []);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('a link encoded in segments while it downloads', () => {
  it('ends as internal when a segment stops taking its input, leaving no child and no file', async () => {
    const base = await testEngine({ pluginDir: site.pluginDir, limits: { idleTimeoutSec: 1 } });
    // The second segment's encoder never reads its input: stuck, as far as ytconv can tell.
    const ffmpeg = join(await tempDir('ytconv-test-tools-'), 'ffmpeg');
    const script = `for last; do :; done\ncase $last in *.segment-1) exec sleep 60 ;; esac\n`;
    await writeFile(ffmpeg, `#!/bin/sh\n${script}exec '${base.tools.ffmpeg}' "$@"\n`);
    await chmod(ffmpeg, 0o755);
    const engine = { ...base, tools: { ...base.tools, ffmpeg }, parallel: { cores: () => 2, minDurationSec: 10 } };
    const outDir = await tempDir();
    const opts: ConvertOptions = { format: 'mp3', splitChapters: false, normalize: false };
    const err = await convert(parseSource(site.watchUrl('basic'), { allowFiles: false }), opts, {
      engine,
      outDir,
    }).then(
      () => assert.fail('a stuck encoder cannot succeed'),
      (e: { code: string; message: string }) => e,
    );
    assert.deepEqual([err.code, err.message], ['internal', 'Converting made no progress for 1 s.']);
    assert.deepEqual(await childProcesses(), []);
    assert.deepEqual(await readdir(engine.tmpDir), []);
    assert.deepEqual(await readdir(outDir), []);
  });
});
