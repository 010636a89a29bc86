/** Every failure ends as one ConvertError code and leaves no file behind. */
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ErrorCode } from '../../src/errors.ts';
import { convert } from '../../src/pipeline/convert.ts';
import { parseSource } from '../../src/pipeline/sources.ts';
import type { ConvertOptions, Engine } from '../../src/pipeline/types.ts';
import { type TestEngineOptions, tempDir, testEngine } from '../helpers/engine.ts';
import { PLAYLIST_PAGE_SIZE, PLAYLISTS } from '../site/catalog.ts';
import { type Site, startSite } from '../site/server.ts';

let site: Site;

before(async () => {
  site = await startSite();
});
after(() => site.close());

const OPTIONS: ConvertOptions = { format: 'mp3', splitChapters: false, normalize: false };

/** Convert and expect `code`; then check that neither the output nor the temp directory kept anything. */
async function expectFailure(
  code: ErrorCode,
  input: string,
  opts: { engine?: Omit<TestEngineOptions, 'pluginDir'>; options?: Partial<ConvertOptions>; allowFiles?: boolean } = {},
): Promise<{ message: string; reason: string | null; engine: Engine }> {
  const engine = await testEngine({ pluginDir: site.pluginDir, ...opts.engine });
  const outDir = await tempDir();
  const source = parseSource(input, { allowFiles: opts.allowFiles ?? false });
  const err = await convert(source, { ...OPTIONS, ...opts.options }, { engine, outDir }).then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e as { code: string; message: string; reason: string | null },
  );
  assert.equal(err.code, code, err.message);
  assert.doesNotMatch(err.message, /\n\s+at /, 'no stack trace in the message');
  assert.deepEqual(await readdir(outDir), [], 'nothing left in the output directory');
  assert.deepEqual(await readdir(engine.tmpDir), [], 'nothing left in the temp directory');
  return { message: err.message, reason: err.reason, engine };
}

const mediaRequests = (name: Parameters<Site['video']>[0]) =>
  site.requests.filter((r) => r.path.startsWith(`/media/${site.video(name).id}`));

describe('unavailable and restricted videos', () => {
  for (const name of ['private', 'removed', 'geo'] as const) {
    it(`reports a ${name} video as unavailable`, async () => {
      const { message } = await expectFailure('unavailable', site.watchUrl(name));
      assert.ok(message.length > 20);
    });
  }

  for (const [name, reason] of [
    ['agegate', null],
    ['bot', 'bot_wall'],
  ] as const) {
    it(`says what an operator can do when ${name} wants a signed-in user`, async () => {
      const { message, reason: found } = await expectFailure('sign_in_required', site.watchUrl(name));
      assert.match(message, /YTCONV_COOKIES_FILE/);
      assert.equal(found, reason);
    });
  }

  it('tells a rate-limited session and a broken extractor from the rest', async () => {
    await expectFailure('rate_limited', site.watchUrl('ratelimited'));
    await expectFailure('extractor_broken', site.watchUrl('broken'));
  });

  it('answers every video with the failure the whole site is switched into, until it is lifted', async () => {
    const blocked = [
      ['botwall', 'sign_in_required'],
      ['ratelimit', 'rate_limited'],
      ['broken', 'extractor_broken'],
    ] as const;
    try {
      for (const [failure, code] of blocked) {
        site.block(failure);
        await expectFailure(code, site.watchUrl('plain'));
      }
    } finally {
      site.block(null);
    }
    const engine = await testEngine({ pluginDir: site.pluginDir });
    const done = await convert(parseSource(site.watchUrl('plain'), { allowFiles: false }), OPTIONS, {
      engine,
      outDir: await tempDir(),
    });
    assert.equal(done.files.length, 1);
  });

  it('reports media answering 403 or 404 as unavailable', async () => {
    await expectFailure('unavailable', site.watchUrl('media403'));
    await expectFailure('unavailable', site.watchUrl('media404'));
  });
});

describe('limits, checked before downloading where possible', () => {
  it('refuses media longer than the limit without downloading it', async () => {
    const { message } = await expectFailure('too_long', site.watchUrl('long'));
    assert.match(message, /3 h/);
    assert.equal(mediaRequests('long').length, 0);
  });

  it('refuses media larger than the limit without downloading it', async () => {
    await expectFailure('too_large', site.watchUrl('big'));
    assert.equal(mediaRequests('big').length, 0);
  });

  for (const [path, options] of [
    ['streamed into the encoder', {}],
    ['downloaded to a file first', { normalize: true }],
  ] as const) {
    it(`stops a download of unknown size once it passes the limit, ${path}`, async () => {
      const limits = { maxDownloadBytes: 20_000 };
      await expectFailure('too_large', site.watchUrl('nosize'), { engine: { limits }, options });
      assert.ok(mediaRequests('nosize').length > 0);
    });
  }

  it('refuses a playlist longer than the limit after listing only its first page', async () => {
    const seen = site.requests.length;
    const { message } = await expectFailure('too_large', site.playlistUrl('huge'), {
      engine: { limits: { maxPlaylistEntries: 3 } },
    });
    assert.match(message, /playlist has more entries than this server's limit of 3\./);
    const requests = site.requests.slice(seen);
    const pages = requests.filter((r) => r.path.startsWith(`/api/playlists/${PLAYLISTS.huge.id}`));
    assert.equal(
      pages.length,
      1,
      `listed ${pages.length} of ${PLAYLISTS.huge.entries.length / PLAYLIST_PAGE_SIZE} pages`,
    );
    assert.deepEqual(
      requests.filter((r) => r.path.startsWith('/api/videos/')),
      [],
      'extracted no entry',
    );
  });

  it('checks a trim start against the real length', async () => {
    await expectFailure('invalid_option', site.watchUrl('plain'), { options: { start: 60 } });
  });
});

describe('bad media', () => {
  it('reports a video without audio', async () => {
    await expectFailure('no_audio', site.watchUrl('noaudio'));
  });

  it('reports undecodable media as corrupt', async () => {
    await expectFailure('corrupt_media', site.watchUrl('corrupt'));
  });

  it('reports a local file that is not media as corrupt', async () => {
    const dir = await tempDir();
    const path = join(dir, 'notes.mp3');
    await writeFile(path, 'this is not audio at all'.repeat(100));
    await expectFailure('corrupt_media', path, { allowFiles: true });
  });

  it('reports a local file that does not exist as an invalid input', async () => {
    const { message } = await expectFailure('invalid_url', '/nonexistent/song.mp3', { allowFiles: true });
    assert.match(message, /no file at \/nonexistent\/song\.mp3/);
  });

  it('reports a local video file without audio', async () => {
    await expectFailure('no_audio', site.mediaPath('noaudio', '160'), { allowFiles: true });
  });
});

describe('sites and addresses', () => {
  it('refuses a site that is not allowed', async () => {
    await expectFailure('unsupported_site', site.watchUrl('plain'), {
      engine: { policy: { allowedSites: ['youtube'] } },
    });
  });

  it('refuses a direct link when only the video site is allowed', async () => {
    await expectFailure('unsupported_site', site.fileUrl('tone.mp3'), {
      engine: { policy: { allowedSites: ['standin'] } },
    });
  });

  it('refuses loopback addresses unless allowed', async () => {
    await expectFailure('forbidden_address', site.watchUrl('plain'), {
      engine: { policy: { allowPrivateAddresses: false } },
    });
  });

  it('refuses a URL that redirects to loopback', async () => {
    // 127.0.0.1 (the site) counts as public here; the redirect target 127.0.0.2 does not.
    const isForbiddenAddress = (ip: string) => ip !== '127.0.0.1';
    const target = `http://127.0.0.2:${new URL(site.origin).port}/files/tone.mp3`;
    await expectFailure('forbidden_address', site.redirectUrl(target), {
      engine: { policy: { allowPrivateAddresses: false, isForbiddenAddress } },
    });
  });

  it('reports a site that does not answer as a network error', async () => {
    await expectFailure('network', 'http://127.0.0.1:9/files/tone.mp3');
  });
});

describe('tools', () => {
  it('reports a missing ffmpeg', async () => {
    await expectFailure('tool_missing', site.watchUrl('plain'), {
      engine: { tools: { ffmpeg: '/nonexistent/ffmpeg' } },
    });
  });

  it('reports a missing yt-dlp', async () => {
    await expectFailure('tool_missing', site.watchUrl('plain'), {
      engine: { tools: { ytdlp: '/nonexistent/yt-dlp' } },
    });
  });
});

describe('resilience', () => {
  for (const name of ['flaky', 'drop'] as const) {
    it(`recovers from ${name} media delivery`, async () => {
      const engine = await testEngine({ pluginDir: site.pluginDir });
      const { files } = await convert(parseSource(site.watchUrl(name), { allowFiles: false }), OPTIONS, {
        engine,
        outDir: await tempDir(),
      });
      assert.equal(files.length, 1);
      assert.ok(Math.abs(files[0]!.duration - site.video(name).duration) < 0.15);
    });
  }
});
