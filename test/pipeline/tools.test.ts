import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { findExecutable, parseYtdlpVersion, ytdlpBaseArgs, ytdlpInfo } from '../../src/pipeline/tools.ts';
import type { Engine } from '../../src/pipeline/types.ts';

const execFileAsync = promisify(execFile);

const engine: Engine = {
  tools: { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', ytdlp: 'yt-dlp', node: '/opt/node/bin/node', env: {} },
  policy: { allowedSites: ['youtube'], allowPrivateAddresses: false },
  limits: { maxDurationSec: 10800, maxDownloadBytes: null, maxPlaylistEntries: 200, idleTimeoutSec: 60 },
  parallel: { cores: () => 1, minDurationSec: 600 },
  cookies: null,
  proxies: null,
  ytdlpExtras: { pluginDirs: [], extractorArgs: [], sleep: { requestsSec: null, downloadSec: null } },
  tmpDir: '/tmp',
  sponsorBlockApi: 'https://sponsor.ajay.app',
};

/** A stand-in yt-dlp that prints `version` and counts how often it was run. */
async function fakeYtdlp(
  dir: string,
  name: string,
  version: string,
): Promise<{ file: string; runs(): Promise<number> }> {
  const file = join(dir, name);
  const counter = `${file}.runs`;
  await writeFile(file, `#!/bin/sh\necho x >> '${counter}'\necho '${version}'\n`);
  await chmod(file, 0o755);
  const runs = async () => (await readFile(counter, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  return { file, runs };
}

const TOOLS_MODULE = new URL('../../src/pipeline/tools.ts', import.meta.url).href;

/** ytdlpInfo's answer in a separate Node process, which starts with an empty memory. */
async function askInNewProcess(file: string, cacheDir: string): Promise<string> {
  const script = `const { ytdlpInfo } = await import(${JSON.stringify(TOOLS_MODULE)});
    const info = await ytdlpInfo(${JSON.stringify(file)}, { cacheDir: ${JSON.stringify(cacheDir)}, env: {} });
    process.stdout.write(info.version);`;
  const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script]);
  return stdout;
}

describe('parseYtdlpVersion', () => {
  it('reads a release date from the version', () => {
    const info = parseYtdlpVersion('2023.03.04\n');
    assert.equal(info.version, '2023.03.04');
    assert.deepEqual(info.released, new Date(Date.UTC(2023, 2, 4)));
    assert.equal(info.supportsJsRuntimes, false);
  });

  it('knows that --js-runtimes came with 2025.11.12', () => {
    assert.equal(parseYtdlpVersion('2025.10.22').supportsJsRuntimes, false);
    assert.equal(parseYtdlpVersion('2025.11.12').supportsJsRuntimes, true);
    assert.equal(parseYtdlpVersion('2026.08.19').supportsJsRuntimes, true);
  });

  it('reads nightly builds, which add a time', () => {
    const info = parseYtdlpVersion('2025.12.01.232914');
    assert.deepEqual(info.released, new Date(Date.UTC(2025, 11, 1)));
    assert.equal(info.supportsJsRuntimes, true);
  });

  it('gives no date for versions that are not dates', () => {
    for (const text of ['', 'unknown', '2025.02.30', '2025.13.01', '1.2.3']) {
      const info = parseYtdlpVersion(text);
      assert.equal(info.released, null, text);
      assert.equal(info.supportsJsRuntimes, false, text);
    }
  });
});

describe('ytdlpBaseArgs', () => {
  it('ignores config files, never self-updates, and hands over nothing else to an old yt-dlp', () => {
    assert.deepEqual(ytdlpBaseArgs(engine, parseYtdlpVersion('2023.03.04'), null), ['--ignore-config', '--no-update']);
  });

  it('hands a new yt-dlp our Node, and only it, as its JS runtime', () => {
    assert.deepEqual(ytdlpBaseArgs(engine, parseYtdlpVersion('2026.08.19'), null), [
      '--ignore-config',
      '--no-update',
      '--no-js-runtimes',
      '--js-runtimes',
      'node:/opt/node/bin/node',
    ]);
  });

  it("passes the job's cookies file when there is one", () => {
    const args = ytdlpBaseArgs(engine, parseYtdlpVersion('2023.03.04'), '/tmp/work/cookies.txt');
    assert.deepEqual(args, ['--ignore-config', '--no-update', '--cookies', '/tmp/work/cookies.txt']);
  });

  const extras = {
    ...engine,
    ytdlpExtras: {
      ...engine.ytdlpExtras,
      pluginDirs: ['/srv/plugins'],
      extractorArgs: ['youtube:player_client=mweb', 'standin:probe=x'],
    },
  };

  it("passes the operator's extractor arguments, one option per extractor", () => {
    assert.deepEqual(ytdlpBaseArgs(extras, parseYtdlpVersion('2023.03.04'), null), [
      ...['--ignore-config', '--no-update'],
      ...['--extractor-args', 'youtube:player_client=mweb', '--extractor-args', 'standin:probe=x'],
    ]);
  });

  it('names plugin folders with --plugin-dirs only to a yt-dlp that has it (older ones read PYTHONPATH)', () => {
    assert.equal(ytdlpBaseArgs(extras, parseYtdlpVersion('2024.10.07'), null).includes('--plugin-dirs'), false);
    const args = ytdlpBaseArgs(extras, parseYtdlpVersion('2024.10.22'), null);
    assert.deepEqual(args.slice(args.indexOf('--plugin-dirs'), args.indexOf('--plugin-dirs') + 2), [
      '--plugin-dirs',
      '/srv/plugins',
    ]);
  });

  it("passes the operator's spacing as yt-dlp's -t sleep does, a range as its two ends", () => {
    const spaced = (sleep: Engine['ytdlpExtras']['sleep']) =>
      ytdlpBaseArgs(
        { ...engine, ytdlpExtras: { ...engine.ytdlpExtras, sleep } },
        parseYtdlpVersion('2023.03.04'),
        null,
      );
    assert.deepEqual(spaced({ requestsSec: 0.75, downloadSec: { min: 5, max: 10 } }), [
      ...['--ignore-config', '--no-update'],
      ...['--sleep-requests', '0.75', '--sleep-interval', '5', '--max-sleep-interval', '10'],
    ]);
    assert.deepEqual(spaced({ requestsSec: null, downloadSec: { min: 5, max: 5 } }), [
      ...['--ignore-config', '--no-update'],
      ...['--sleep-interval', '5'],
    ]);
  });

  it('keeps warnings, which explain failures in the log', () => {
    assert.equal(ytdlpBaseArgs(engine, parseYtdlpVersion('2026.08.19'), null).includes('--no-warnings'), false);
  });
});

describe('ytdlpInfo', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ytconv-tools-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('asks yt-dlp once, then answers from memory', async () => {
    const fake = await fakeYtdlp(dir, 'memo', '2026.08.19');
    const first = await ytdlpInfo(fake.file, { cacheDir: null, env: {} });
    const second = await ytdlpInfo(fake.file, { cacheDir: null, env: {} });
    assert.equal(first.version, '2026.08.19');
    assert.deepEqual(second, first);
    assert.equal(await fake.runs(), 1);
  });

  it('keeps the answer on disk, so that the next process does not ask again', async () => {
    const cacheDir = join(dir, 'cache');
    const fake = await fakeYtdlp(dir, 'disk', '2025.12.01');
    const inFreshProcess = () => askInNewProcess(fake.file, cacheDir);
    assert.equal(await inFreshProcess(), '2025.12.01');
    assert.equal(await inFreshProcess(), '2025.12.01');
    assert.equal(await fake.runs(), 1);
  });

  it('asks again when the file changes', async () => {
    const fake = await fakeYtdlp(dir, 'changing', '2023.03.04');
    assert.equal((await ytdlpInfo(fake.file, { cacheDir: null, env: {} })).version, '2023.03.04');
    await fakeYtdlp(dir, 'changing', '2026.08.19.123456');
    assert.equal((await ytdlpInfo(fake.file, { cacheDir: null, env: {} })).version, '2026.08.19.123456');
    assert.equal(await fake.runs(), 2);
  });

  it('fails with a ToolError saying the program was not found', async () => {
    await assert.rejects(ytdlpInfo(join(dir, 'nonexistent'), { env: {} }), { name: 'ToolError', notFound: true });
  });
});

describe('findExecutable', () => {
  it('finds a program on a search path', () => {
    assert.equal(findExecutable('sh', '/nonexistent:/bin'), '/bin/sh');
  });

  it('takes a path with a slash as it is, if executable', () => {
    assert.equal(findExecutable('/bin/sh', ''), '/bin/sh');
    assert.equal(findExecutable('/nonexistent/sh', '/bin'), null);
  });

  it('ignores relative entries and directories', () => {
    assert.equal(findExecutable('bin', '.:/'), null);
  });
});
