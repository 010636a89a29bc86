/**
 * The door: what checkRequest refuses before a job exists, under each site policy and with the
 * address guard on. yt-dlp's extractor matching and DNS are faked where the rule is the point, and
 * real (the configured yt-dlp with the stand-in site's plugin, the machine's resolver) where the
 * wiring is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ErrorCode } from '../../src/errors.ts';
import { checkRequest, type DoorChecks, doorChecks } from '../../src/jobs/request.ts';
import type { Engine } from '../../src/pipeline/types.ts';
import { testEngine } from '../helpers/engine.ts';

const PLUGIN_DIR = fileURLToPath(new URL('../site/plugin', import.meta.url));
const VIDEO = 'https://www.youtube.com/watch?v=dQw4w9WgXcQ';

async function engineWith(policy: Partial<Engine['policy']>): Promise<Engine> {
  return testEngine({ pluginDir: PLUGIN_DIR, policy: { allowPrivateAddresses: false, ...policy } });
}

/** Checks that fail the test when asked: the rule at hand must decide without them. */
const unasked: DoorChecks = {
  extractors: () => assert.fail('yt-dlp must not be asked'),
  resolve: () => assert.fail('DNS must not be asked'),
  lookupTimeoutMs: 2000,
};

async function refusal(url: string, engine: Engine, checks: DoorChecks): Promise<{ code: ErrorCode; message: string }> {
  const err = await checkRequest({ url }, engine, checks).then(
    () => assert.fail(`${url} was accepted`),
    (e: { code: ErrorCode; message: string }) => e,
  );
  return { code: err.code, message: err.message };
}

describe('with only YouTube allowed', () => {
  const engine = engineWith({ allowedSites: ['youtube'] });

  for (const url of [VIDEO, 'https://www.youtube.com/playlist?list=PLBB231211A4F62143', 'youtube.com/@SomeChannel']) {
    it(`accepts ${url} without asking yt-dlp or DNS`, async () => {
      const checked = await checkRequest({ url }, await engine, unasked);
      assert.equal(checked.source.site, 'youtube');
    });
  }

  for (const url of [
    'https://vimeo.com/76979871',
    'https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ',
    'https://evil.example/www.youtube.com/watch?v=dQw4w9WgXcQ',
    'https://xn--yutube-wqf.com/watch?v=dQw4w9WgXcQ',
    'http://localhost/',
  ]) {
    it(`refuses ${url} as unsupported_site at once, naming what is allowed`, async () => {
      const { code, message } = await refusal(url, await engine, unasked);
      assert.equal(code, 'unsupported_site');
      assert.match(message, /links from youtube only/);
    });
  }

  it('refuses a playlist when only videos (the youtube extractor, not youtube:tab) are allowed', async () => {
    const videosOnly = await engineWith({ allowedSites: ['youtube:tab'] });
    assert.equal((await refusal(VIDEO, videosOnly, unasked)).code, 'unsupported_site');
  });
});

describe('with a list of sites', () => {
  const answering = (names: readonly string[] | null): DoorChecks => ({
    ...unasked,
    extractors: async () => names,
    resolve: async () => ['93.184.215.14'],
  });

  it('accepts a link whose extractors include an allowed one, as yt-dlp --use-extractors would', async () => {
    const engine = await engineWith({ allowedSites: ['youtube', 'generic'] });
    const checked = await checkRequest(
      { url: 'https://soundcloud.com/a/b' },
      engine,
      answering(['soundcloud', 'generic']),
    );
    assert.equal(checked.source.url, 'https://soundcloud.com/a/b');
  });

  it('refuses a link no allowed extractor reads', async () => {
    const engine = await engineWith({ allowedSites: ['youtube', 'vimeo'] });
    const { code, message } = await refusal('https://soundcloud.com/a/b', engine, answering(['soundcloud', 'generic']));
    assert.equal(code, 'unsupported_site');
    assert.match(message, /soundcloud\.com .*links from youtube, vimeo only/);
  });

  it('lets the link through when yt-dlp cannot be asked, for the worker to decide', async () => {
    const engine = await engineWith({ allowedSites: ['vimeo'] });
    await checkRequest({ url: 'https://soundcloud.com/a/b' }, engine, answering(null));
  });

  it('asks the configured yt-dlp, which knows the stand-in site through its plugin', async () => {
    const engine = await engineWith({ allowedSites: ['standin'], allowPrivateAddresses: true });
    const checks = doorChecks(engine);
    const checked = await checkRequest({ url: 'http://127.0.0.1:9/watch?v=aaaaaaaaaaa' }, engine, checks);
    assert.equal(checked.source.url, 'http://127.0.0.1:9/watch?v=aaaaaaaaaaa');
    assert.equal((await refusal('https://vimeo.com/76979871', engine, checks)).code, 'unsupported_site');
    assert.equal((await refusal('http://127.0.0.1:9/files/tone.mp3', engine, checks)).code, 'unsupported_site');
    assert.deepEqual(await checks.extractors('https://vimeo.com/76979871'), ['vimeo', 'generic']);
  });

  it('answers "cannot tell" for a yt-dlp that is not a Python program', async () => {
    const engine = await testEngine({ pluginDir: PLUGIN_DIR, tools: { ytdlp: process.execPath } });
    assert.equal(await doorChecks(engine).extractors('https://vimeo.com/76979871'), null);
  });
});

describe('the address guard, with every site allowed', () => {
  const engine = engineWith({ allowedSites: '*' });
  const resolving = (addresses: readonly string[]): DoorChecks => ({
    ...unasked,
    resolve: async () => addresses,
  });

  for (const url of [
    'http://127.0.0.1/',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://[2002:7f00:1::]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1./',
    'https://www.youtube.com@127.0.0.1/',
  ]) {
    it(`refuses the literal ${url} without DNS`, async () => {
      assert.equal((await refusal(url, await engine, unasked)).code, 'forbidden_address');
    });
  }

  it('refuses a name with any forbidden address among its answers', async () => {
    const { code, message } = await refusal(
      'http://rebind.example/',
      await engine,
      resolving(['93.184.215.14', '10.1.2.3']),
    );
    assert.equal(code, 'forbidden_address');
    assert.match(message, /rebind\.example/);
  });

  it('accepts a name whose addresses are all public', async () => {
    await checkRequest({ url: 'http://public.example/a.mp3' }, await engine, resolving(['93.184.215.14']));
  });

  it('resolves names with the machine’s resolver: localhost in any case is loopback', async () => {
    const checks = doorChecks(await engine);
    for (const url of ['http://localhost/', 'http://LOCALHOST:8000/', 'http://localhost./']) {
      assert.equal((await refusal(url, await engine, checks)).code, 'forbidden_address', url);
    }
  });

  it('lets a name through when DNS is slower than the timeout, or fails', async () => {
    const never: DoorChecks = { ...unasked, resolve: () => new Promise(() => {}), lookupTimeoutMs: 20 };
    await checkRequest({ url: 'http://slow.example/' }, await engine, never);
    const failing: DoorChecks = { ...unasked, resolve: () => Promise.reject(new Error('ENOTFOUND')) };
    await checkRequest({ url: 'http://nowhere.example/' }, await engine, failing);
  });

  it('judges nothing when private addresses are allowed', async () => {
    const open = await engineWith({ allowedSites: '*', allowPrivateAddresses: true });
    await checkRequest({ url: 'http://127.0.0.1/' }, open, unasked);
  });
});

describe('the work a request asks for', () => {
  it('is the same for a start at 0 as for no start, and differs for any other option', async () => {
    const engine = await engineWith({ allowedSites: ['youtube'] });
    const key = async (fields: object) => (await checkRequest({ url: VIDEO, ...fields }, engine, unasked)).key;
    assert.equal(await key({ start: 0 }), await key({}));
    assert.equal(await key({ start: '0:00' }), await key({}));
    assert.notEqual(await key({ start: 1 }), await key({}));
    assert.notEqual(await key({ quality: '192k' }), await key({}), 'an explicit bitrate re-encodes; none may copy');
  });
});
