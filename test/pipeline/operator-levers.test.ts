/**
 * The operator's levers on yt-dlp, through real yt-dlp against the stand-in site: extractor
 * arguments and plugin folders from the configuration reach the extractor (the stand-in plugin
 * sends its `probe` argument to the site, whose request log the tests read); nothing a user sends
 * does; cookies files are lent one per job and one that meets the bot wall is set aside; a proxy
 * of the pool carries the job, and the address guard still refuses private targets.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { asConvertError } from '../../src/errors.ts';
import { convert } from '../../src/pipeline/convert.ts';
import { inspect } from '../../src/pipeline/inspect.ts';
import { parseSource } from '../../src/pipeline/sources.ts';
import type { ConvertOptions, Engine } from '../../src/pipeline/types.ts';
import { tempDir, testEngine } from '../helpers/engine.ts';
import { type ForwardProxy, startForwardProxy } from '../helpers/forward-proxy.ts';
import { FLAGGED_SESSION } from '../site/catalog.ts';
import { type Site, startSite } from '../site/server.ts';

let site: Site;

before(async () => {
  site = await startSite();
});
after(() => site.close());

const OPTIONS: ConvertOptions = { format: 'mp3', splitChapters: false, normalize: false };

/** The `probe` values the extractor sent with its calls for this video, in order. */
function probesFor(videoId: string): (string | null)[] {
  return site.requests
    .filter((r) => r.path.startsWith(`/api/videos/${videoId}`))
    .map((r) => new URL(r.path, site.origin).searchParams.get('probe'));
}

async function fails(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  return work.then(
    () => assert.fail('expected a failure'),
    (err: unknown) => asConvertError(err),
  );
}

describe("the operator's extractor arguments", () => {
  it('reach the extractor, alongside the player_client shorthand', async () => {
    const engine = await testEngine({
      pluginDir: site.pluginDir,
      env: { YTCONV_YTDLP_EXTRACTOR_ARGS: 'standin:probe=Operator-1', YTCONV_YTDLP_PLAYER_CLIENT: 'default,mweb' },
    });
    assert.deepEqual(engine.ytdlpExtras.extractorArgs, [
      'standin:probe=Operator-1',
      'youtube:player_client=default,mweb',
    ]);
    const summary = await inspect(parseSource(site.watchUrl('second'), { allowFiles: false }), engine);
    assert.equal(summary.title, site.video('second').title);
    assert.deepEqual(probesFor(site.video('second').id), ['Operator-1']);
  });

  it('are never taken from a link or from options, however they are dressed', async () => {
    const engine = await testEngine({
      pluginDir: site.pluginDir,
      env: { YTCONV_YTDLP_EXTRACTOR_ARGS: 'standin:probe=operator' },
    });
    const id = site.video('plain').id;
    const hostile = [
      `${site.watchUrl('plain')}&probe=user`,
      `${site.watchUrl('plain')}&--extractor-args=standin:probe=user`,
      `${site.watchUrl('plain')}#--extractor-args standin:probe=user`,
    ];
    for (const link of hostile) {
      const outDir = await tempDir();
      await convert(parseSource(link, { allowFiles: false }), OPTIONS, { engine, outDir });
    }
    // The operator's value reached the extractor with every call, and the user's never did.
    const probes = probesFor(id);
    assert.ok(probes.length >= hostile.length, JSON.stringify(site.requests));
    assert.deepEqual(new Set(probes), new Set(['operator']));
    const sent = site.requests.map((r) => r.path).join('\n');
    assert.doesNotMatch(sent, /probe=user/);

    const refused = [
      ['--extractor-args', { quality: 'standin:probe=user' }],
      ['--extractor-args standin:probe=user', { format: '--extractor-args' as ConvertOptions['format'] }],
    ] as const;
    for (const [link, options] of refused) {
      const outDir = await tempDir();
      const err = await fails(
        // parseSource throws at once for a link it refuses.
        Promise.resolve().then(() =>
          convert(parseSource(link, { allowFiles: false }), { ...OPTIONS, ...options }, { engine, outDir }),
        ),
      );
      assert.match(err.code, /^(?:invalid_url|invalid_option)$/, err.message);
    }
    assert.doesNotMatch(site.requests.map((r) => r.path).join('\n'), /probe=user/);
  });
});

describe("yt-dlp's own spacing", () => {
  it('reaches yt-dlp as the operator set it, and a conversion still goes through', async () => {
    const engine = await testEngine({
      pluginDir: site.pluginDir,
      env: { YTCONV_YTDLP_SLEEP_REQUESTS: '0.01', YTCONV_YTDLP_SLEEP: '0.01-0.02' },
    });
    const outDir = await tempDir();
    const seen = site.requests.length;
    const result = await convert(parseSource(site.watchUrl('second'), { allowFiles: false }), OPTIONS, {
      engine,
      outDir,
    });
    assert.equal(result.files.length, 1);
    // What the stand-in extractor read from yt-dlp's parameters: requests, then the download's range.
    const sleeps = site.requests
      .slice(seen)
      .filter((r) => r.path.startsWith(`/api/videos/${site.video('second').id}`))
      .map((r) => new URL(r.path, site.origin).searchParams.get('sleep'));
    assert.deepEqual(new Set(sleeps), new Set(['0.01,0.01,0.02']));
  });
});

describe("the operator's plugin folders", () => {
  it('load plugins from a folder of plugin packages, with nothing on PYTHONPATH', async () => {
    const plugins = await tempDir('ytconv-plugins-');
    await symlink(site.pluginDir, join(plugins, 'standin'));
    const engine = await testEngine({ pluginDir: null, env: { YTCONV_YTDLP_PLUGIN_DIRS: plugins } });
    assert.deepEqual(engine.ytdlpExtras.pluginDirs, [plugins]);
    const summary = await inspect(parseSource(site.watchUrl('music'), { allowFiles: false }), engine);
    assert.equal(summary.site, 'standin');
    assert.equal(summary.title, site.video('music').title);
  });
});

/** A cookies.txt for the site, holding its session cookie. */
async function cookiesFile(dir: string, name: string, session: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(
    file,
    `# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\t${FLAGGED_SESSION.cookie}\t${session}\n`,
  );
  return file;
}

describe('a pool of cookies files', () => {
  it('lends one per job, sets aside the one that met the bot wall, and never changes the files', async () => {
    const dir = await tempDir('ytconv-cookies-');
    await cookiesFile(dir, 'alice.txt', 'alice');
    await cookiesFile(dir, 'bob.txt', `${FLAGGED_SESSION.prefix}-bob`);
    await mkdir(join(dir, 'not-a-cookies-file'));
    const before = await readFile(join(dir, 'bob.txt'), 'utf8');
    const engine = await testEngine({
      pluginDir: site.pluginDir,
      env: { YTCONV_COOKIES_DIR: dir, YTCONV_COOKIES_SET_ASIDE: 'forever' },
    });
    assert.deepEqual(engine.cookies?.files, [join(dir, 'alice.txt'), join(dir, 'bob.txt')]);
    const id = site.video('basic').id;
    const outcomes: string[] = [];
    for (let job = 0; job < 4; job++) {
      const done = await inspect(parseSource(site.watchUrl('basic'), { allowFiles: false }), engine).then(
        () => 'ok',
        (err: unknown) => asConvertError(err).code,
      );
      outcomes.push(done);
    }
    const sessions = site.requests.filter((r) => r.path.startsWith(`/api/videos/${id}`)).map((r) => r.session);
    // Least recently used first: alice, then bob (the bot wall), then only alice.
    assert.deepEqual(sessions, ['alice', `${FLAGGED_SESSION.prefix}-bob`, 'alice', 'alice']);
    assert.deepEqual(outcomes, ['ok', 'sign_in_required', 'ok', 'ok']);
    assert.equal(await readFile(join(dir, 'bob.txt'), 'utf8'), before, 'yt-dlp wrote to a copy only');
    assert.deepEqual(await readdir(engine.tmpDir), [], 'the copies are gone with their jobs');
  });
});

describe('a pool of proxies, behind the address guard', () => {
  let proxies: ForwardProxy[];
  before(async () => {
    // On an address the guard forbids: a proxy on the LAN or loopback is the operator's choice.
    proxies = await Promise.all([startForwardProxy('127.0.0.2'), startForwardProxy('127.0.0.2')]);
  });
  after(() => Promise.all(proxies.map((p) => p.close())));

  // 127.0.0.1 (the site) counts as public here; 127.0.0.2 (the proxies, a private target) does not.
  const isForbiddenAddress = (ip: string) => ip !== '127.0.0.1';

  async function guardedEngine(): Promise<Engine> {
    return testEngine({
      pluginDir: site.pluginDir,
      env: { YTCONV_PROXIES: `*=${proxies.map((p) => p.url).join(',')}` },
      policy: { allowPrivateAddresses: false, isForbiddenAddress },
    });
  }

  it('carries each job through one of the proxies, taking turns', async () => {
    const engine = await guardedEngine();
    for (const name of ['plain', 'second']) {
      const outDir = await tempDir();
      const { files } = await convert(parseSource(site.watchUrl(name), { allowFiles: false }), OPTIONS, {
        engine,
        outDir,
      });
      assert.equal(files.length, 1);
    }
    for (const proxy of proxies) {
      assert.ok(
        proxy.seen.some((line) => line.startsWith(`GET ${site.origin}/media/`)),
        `${proxy.url} carried a job's media:\n${proxy.seen.join('\n')}`,
      );
    }
  });

  it('still refuses a private target, which no proxy is ever asked for', async () => {
    const engine = await guardedEngine();
    const target = `http://127.0.0.2:${new URL(site.origin).port}/files/tone.mp3`;
    const err = await fails(
      convert(parseSource(site.redirectUrl(target), { allowFiles: false }), OPTIONS, {
        engine,
        outDir: await tempDir(),
      }),
    );
    assert.equal(err.code, 'forbidden_address', err.message);
    const asked = proxies.flatMap((p) => p.seen);
    assert.ok(
      asked.some((line) => line.includes('/redirect?')),
      'the redirect itself went through a proxy',
    );
    const toPrivate = asked.filter((line) => /^(?:GET http:\/\/|CONNECT )127\.0\.0\.2\b/.test(line));
    assert.deepEqual(toPrivate, [], asked.join('\n'));
  });
});
