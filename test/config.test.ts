import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  let root: string;
  let bin: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ytconv-config-'));
    bin = join(root, 'somebin');
    await mkdir(bin);
    for (const name of ['ffmpeg', 'ffprobe', 'yt-dlp']) {
      await writeFile(join(bin, name), '#!/bin/sh\n');
      await chmod(join(bin, name), 0o755);
    }
    await writeFile(join(root, 'cookies.txt'), '# Netscape HTTP Cookie File\n');
  });
  after(() => rm(root, { recursive: true, force: true }));

  const load = (env: NodeJS.ProcessEnv = {}) => loadConfig({ PATH: bin, ...env }, root);

  /** The ConfigError message for one bad setting. */
  function problem(env: NodeJS.ProcessEnv): string {
    try {
      load(env);
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.message;
    }
    assert.fail('expected a ConfigError');
  }

  it('has safe defaults for one machine', () => {
    const { engine, overriddenTools } = load();
    assert.deepEqual(engine.policy, { allowedSites: ['youtube'], allowPrivateAddresses: false });
    assert.equal(engine.limits.maxDurationSec, 3 * 3600);
    assert.equal(engine.limits.maxDownloadBytes, 2 * 1024 ** 3);
    assert.equal(engine.limits.maxPlaylistEntries, 200);
    assert.equal(engine.limits.idleTimeoutSec, 60);
    assert.equal(engine.cookies, null);
    assert.equal(engine.proxies, null);
    assert.deepEqual(engine.ytdlpExtras, {
      pluginDirs: [],
      extractorArgs: [],
      sleep: { requestsSec: null, downloadSec: null },
    });
    assert.equal(engine.tmpDir, tmpdir());
    assert.equal(engine.tools.node, process.execPath);
    assert.deepEqual(overriddenTools, []);
  });

  it('finds the tools on PATH', () => {
    const { tools } = load().engine;
    assert.equal(tools.ffmpeg, join(bin, 'ffmpeg'));
    assert.equal(tools.ffprobe, join(bin, 'ffprobe'));
    assert.equal(tools.ytdlp, join(bin, 'yt-dlp'));
  });

  it('leaves a tool that is nowhere as a bare name, to fail as not found when run', () => {
    assert.equal(loadConfig({ PATH: '/nonexistent' }, root).engine.tools.ffmpeg, 'ffmpeg');
  });

  it('prefers the project’s own yt-dlp over the one on PATH', async () => {
    const own = join(root, 'var', 'bin', 'yt-dlp');
    await mkdir(join(root, 'var', 'bin'), { recursive: true });
    await writeFile(own, '#!/bin/sh\n');
    await chmod(own, 0o755);
    try {
      assert.equal(load().engine.tools.ytdlp, own);
    } finally {
      await rm(join(root, 'var'), { recursive: true });
    }
  });

  it('takes tool paths from YTCONV_* variables, even ones that do not exist', () => {
    const config = load({ YTCONV_FFMPEG: '/nonexistent/ffmpeg', YTCONV_YTDLP: '/opt/yt-dlp' });
    assert.equal(config.engine.tools.ffmpeg, '/nonexistent/ffmpeg');
    assert.equal(config.engine.tools.ytdlp, '/opt/yt-dlp');
    assert.deepEqual(config.overriddenTools, ['ffmpeg', 'ytdlp']);
  });

  it('reads every setting', () => {
    const { engine } = load({
      YTCONV_ALLOWED_SITES: 'YouTube, vimeo,soundcloud',
      YTCONV_ALLOW_PRIVATE_ADDRESSES: 'yes',
      YTCONV_MAX_DURATION: '1h30m',
      YTCONV_MAX_DOWNLOAD: '1.5GB',
      YTCONV_MAX_PLAYLIST_ENTRIES: '50',
      YTCONV_IDLE_TIMEOUT: '2m',
      YTCONV_COOKIES_FILE: 'cookies.txt',
      YTCONV_TMP_DIR: root,
    });
    assert.deepEqual(engine.policy.allowedSites, ['youtube', 'vimeo', 'soundcloud']);
    assert.equal(engine.policy.allowPrivateAddresses, true);
    assert.equal(engine.limits.maxDurationSec, 5400);
    assert.equal(engine.limits.maxDownloadBytes, 1.5 * 1024 ** 3);
    assert.equal(engine.limits.maxPlaylistEntries, 50);
    assert.equal(engine.limits.idleTimeoutSec, 120);
    assert.deepEqual(engine.cookies?.files, [join(root, 'cookies.txt')]);
    assert.equal(engine.tmpDir, root);
  });

  it('reads how often files expire and how soon an unsent email is retried', () => {
    assert.equal(load().service.expireEverySec, 300);
    assert.equal(load().service.emailRetryDelaySec, 10);
    const { service } = load({ YTCONV_EXPIRE_EVERY: '1s', YTCONV_EMAIL_RETRY_DELAY: '2m' });
    assert.equal(service.expireEverySec, 1);
    assert.equal(service.emailRetryDelaySec, 120);
  });

  it('limits submissions to 30 a minute, looks at links to 20, and trusts no proxy unless told', () => {
    assert.deepEqual(load().service.submitRate, { max: 30, windowSec: 60 });
    assert.equal(load().service.trustProxy, false);
    const { service } = load({ YTCONV_SUBMIT_RATE: '100/1h', YTCONV_TRUST_PROXY: '10.0.0.5, fd00::/8' });
    assert.deepEqual(service.submitRate, { max: 100, windowSec: 3600 });
    assert.deepEqual(service.trustProxy, ['10.0.0.5', 'fd00::/8']);
    assert.equal(load({ YTCONV_SUBMIT_RATE: 'none' }).service.submitRate, null);
    assert.deepEqual(load().service.inspectRate, { max: 20, windowSec: 60 });
    assert.deepEqual(load({ YTCONV_INSPECT_RATE: '5/30s' }).service.inspectRate, { max: 5, windowSec: 30 });
    assert.equal(load({ YTCONV_INSPECT_RATE: 'none' }).service.inspectRate, null);
    assert.equal(load({ YTCONV_TRUST_PROXY: 'yes' }).service.trustProxy, true);
  });

  it('lets everyone in unless YTCONV_ACCESS says otherwise', () => {
    assert.equal(load().service.access, 'open');
    assert.equal(load({ YTCONV_ACCESS: 'apikey' }).service.access, 'apikey');
  });

  it('reads each paced site with its rate, and the pauses', () => {
    const { service } = load({
      YTCONV_PACE: 'youtube=5/1m, vimeo=none',
      YTCONV_PAUSE: '1h',
      YTCONV_PAUSE_AFTER_BOT_WALLS: '5',
    });
    assert.deepEqual(service.pace, { youtube: { max: 5, windowSec: 60 }, vimeo: null });
    assert.equal(service.pauseSec, 3600);
    assert.equal(service.botWallsToPause, 5);
    assert.deepEqual(load({ YTCONV_PACE: 'none' }).service.pace, {});
    assert.deepEqual(load({}).service.pace, { youtube: { max: 10, windowSec: 60 } });
  });

  it('accepts * for all sites and none for no download limit', () => {
    const { engine } = load({ YTCONV_ALLOWED_SITES: '*', YTCONV_MAX_DOWNLOAD: 'none' });
    assert.equal(engine.policy.allowedSites, '*');
    assert.equal(engine.limits.maxDownloadBytes, null);
  });

  it('asks the public SponsorBlock API unless told another, and refuses what is not a web address', () => {
    assert.equal(load().engine.sponsorBlockApi, 'https://sponsor.ajay.app');
    assert.equal(load({ YTCONV_SPONSORBLOCK_API: 'http://sb.lan:8080/' }).engine.sponsorBlockApi, 'http://sb.lan:8080');
    assert.match(
      problem({ YTCONV_SPONSORBLOCK_API: 'ftp://sb.lan' }),
      /^YTCONV_SPONSORBLOCK_API="ftp:\/\/sb\.lan" is not valid/,
    );
  });

  it('treats an empty value as unset', () => {
    assert.equal(load({ YTCONV_COOKIES_FILE: '', YTCONV_MAX_DURATION: '' }).engine.limits.maxDurationSec, 10800);
  });

  it('is frozen all the way down', () => {
    const config = load();
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.engine.tools));
    assert.ok(Object.isFrozen(config.engine.policy.allowedSites));
  });

  it('names the variable and what it expects, on one line', () => {
    const message = problem({ YTCONV_MAX_DURATION: 'forever' });
    assert.match(message, /^YTCONV_MAX_DURATION="forever" is not valid: expected a positive duration such as .*90m/);
    assert.doesNotMatch(message, /\n/);
  });

  const bad: [string, string, RegExp][] = [
    ['YTCONV_ALLOW_PRIVATE_ADDRESSES', 'maybe', /1\/0, true\/false/],
    ['YTCONV_MAX_DURATION', '0', /positive duration/],
    ['YTCONV_MAX_DOWNLOAD', 'lots', /500M, 2G/],
    ['YTCONV_MAX_PLAYLIST_ENTRIES', '0', /whole number/],
    ['YTCONV_IDLE_TIMEOUT', 'never', /positive duration/],
    ['YTCONV_ALLOWED_SITES', 'youtube,,vimeo', /comma-separated/],
    ['YTCONV_COOKIES_FILE', 'missing.txt', /existing cookies.txt file/],
    ['YTCONV_TMP_DIR', '/nonexistent', /existing directory/],
    ['YTCONV_EXPIRE_EVERY', '0', /positive duration/],
    ['YTCONV_EMAIL_RETRY_DELAY', 'soon', /positive duration/],
    ['YTCONV_PACE', 'youtube', /youtube=10\/1m/],
    ['YTCONV_PACE', 'you tube=1/1m', /youtube=10\/1m/],
    ['YTCONV_PACE', 'youtube=1/1m,youtube=2/1m', /youtube=10\/1m/],
    ['YTCONV_PAUSE_AFTER_BOT_WALLS', '0', /YTCONV_PAUSE_AFTER_BOT_WALLS/],
    ['YTCONV_SUBMIT_RATE', '30', /30\/1m/],
    ['YTCONV_SUBMIT_RATE', '0/1m', /30\/1m/],
    ['YTCONV_SUBMIT_RATE', '30/soon', /30\/1m/],
    ['YTCONV_INSPECT_RATE', '20', /30\/1m/],
    ['YTCONV_ACCESS', 'private', /expected open, login, apikey$/],
    ['YTCONV_TRUST_PROXY', 'the usual', /the proxies' addresses/],
    ['YTCONV_TRUST_PROXY', '10.0.0.0/33', /the proxies' addresses/],
    ['YTCONV_YTDLP_UPDATES', 'weekly', /daily or off/],
    ['YTCONV_YTDLP_RELEASES', 'ftp://example.org/releases', /http\(s\) URL of a release folder/],
    ['YTCONV_YTDLP_PIN', 'latest', /a yt-dlp version such as 2025\.10\.22/],
    ['YTCONV_YTDLP_CANARY', 'jNQXAC9IVRw', /http\(s\) URL of a video/],
    ['YTCONV_COOKIES_DIR', '/nonexistent', /folder holding one or more cookies.txt/],
    ['YTCONV_COOKIES_DIR', 'somebin', /folder holding one or more cookies.txt/],
    ['YTCONV_COOKIES_SET_ASIDE', 'a while', /6h or 2d, or forever/],
    ['YTCONV_PROXY', 'socks5://127.0.0.1:1080', /an http:\/\/ proxy URL/],
    ['YTCONV_PROXIES', 'http://10.0.0.2:3128', /site=URL/],
    ['YTCONV_PROXIES', 'youtube=http://a:1;youtube=http://b:1', /site=URL/],
    ['YTCONV_YTDLP_PLUGIN_DIRS', '/nonexistent', /yt_dlp_plugins folder inside/],
    ['YTCONV_YTDLP_PLUGIN_DIRS', '.', /yt_dlp_plugins folder inside/],
    ['YTCONV_YTDLP_EXTRACTOR_ARGS', 'player_client=mweb', /EXTRACTOR:ARG=VALUE/],
    ['YTCONV_YTDLP_EXTRACTOR_ARGS', 'youtube:', /EXTRACTOR:ARG=VALUE/],
    ['YTCONV_YTDLP_PLAYER_CLIENT', 'web; rm -rf', /player clients separated by commas/],
    ['YTCONV_YTDLP_SLEEP_REQUESTS', '750ms', /seconds between the requests/],
    ['YTCONV_YTDLP_SLEEP_REQUESTS', '0', /seconds between the requests/],
    ['YTCONV_YTDLP_SLEEP', '10-5', /a range such as 5-10/],
    ['YTCONV_YTDLP_SLEEP', '5-10-20', /a range such as 5-10/],
    ['YTCONV_YTDLP_SLEEP', '7200', /at most 3600/],
    ['YTCONV_OPERATOR_EMAIL', 'ops at example.org', /an email address/],
    ['YTCONV_OPERATOR_WEBHOOK', 'hooks.example.org/ytconv', /http\(s\) URL that takes a POSTed JSON body/],
    ['YTCONV_WEBHOOK_URL', 'ftp://hooks.example.org/ytconv', /http\(s\) URL that takes a POSTed JSON body/],
    ['YTCONV_WEBHOOK_SECRET', 'short', /at least 16 characters/],
  ];
  for (const [name, value, expected] of bad) {
    it(`refuses ${name}=${value}`, () => {
      const message = problem({ [name]: value });
      assert.ok(message.startsWith(`${name}=`), message);
      assert.match(message, expected);
    });
  }

  it('checks yt-dlp daily from its official releases, unless YTCONV_YTDLP names the one to use', () => {
    const updates = load().service.ytdlpUpdates;
    assert.deepEqual(updates, {
      off: null,
      managed: true,
      releases: 'https://github.com/yt-dlp/yt-dlp/releases/latest/download',
      pin: null,
      canaryUrl: 'https://www.youtube.com/watch?v=jNQXAC9IVRw',
    });
    const named = load({ YTCONV_YTDLP: '/opt/yt-dlp' }).service.ytdlpUpdates;
    assert.equal(named.managed, false);
    assert.match(named.off ?? '', /YTCONV_YTDLP/);
    assert.equal(load({ YTCONV_YTDLP_UPDATES: 'off' }).service.ytdlpUpdates.managed, true);
  });

  it('takes a pinned release from GitHub’s folder for that version, and says when it cannot', () => {
    const pinned = load({ YTCONV_YTDLP_PIN: '2025.10.22' }).service.ytdlpUpdates;
    assert.equal(pinned.releases, 'https://github.com/yt-dlp/yt-dlp/releases/download/2025.10.22');
    const message = problem({ YTCONV_YTDLP_PIN: '2025.10.22', YTCONV_YTDLP_RELEASES: 'https://mirror.example/yt-dlp' });
    assert.match(message, /^YTCONV_YTDLP_PIN needs YTCONV_YTDLP_RELEASES to end in \/latest\/download/);
  });

  it('reads the operator levers on yt-dlp', async () => {
    const plugins = join(root, 'plugins');
    await mkdir(join(plugins, 'bgutil', 'yt_dlp_plugins'), { recursive: true });
    await writeFile(join(plugins, 'other.zip'), '');
    const { engine } = load({
      YTCONV_YTDLP_PLUGIN_DIRS: 'plugins',
      YTCONV_YTDLP_EXTRACTOR_ARGS:
        'youtubepot-bgutilhttp:base_url=http://127.0.0.1:4416;youtube:player_skip=webpage;Vimeo:flag',
      YTCONV_YTDLP_PLAYER_CLIENT: 'default, mweb',
      YTCONV_PROXIES: 'youtube=http://u:p=w@10.0.0.2:3128/,http://10.0.0.3:3128; *=http://127.0.0.1:8888',
      YTCONV_COOKIES_FILE: 'cookies.txt',
      YTCONV_COOKIES_SET_ASIDE: '2d',
      YTCONV_YTDLP_SLEEP_REQUESTS: '0.75',
      YTCONV_YTDLP_SLEEP: '5-10',
      PYTHONPATH: '/opt/python',
    });
    assert.deepEqual(engine.ytdlpExtras, {
      pluginDirs: [plugins],
      extractorArgs: [
        'youtubepot-bgutilhttp:base_url=http://127.0.0.1:4416',
        'vimeo:flag',
        'youtube:player_skip=webpage;player_client=default,mweb',
      ],
      sleep: { requestsSec: 0.75, downloadSec: { min: 5, max: 10 } },
    });
    const packages = [join(plugins, 'bgutil'), join(plugins, 'other.zip')];
    assert.equal(engine.tools.env.PYTHONPATH, [...packages, '/opt/python'].join(':'));
    assert.deepEqual(engine.proxies, {
      youtube: ['http://u:p%3Dw@10.0.0.2:3128', 'http://10.0.0.3:3128'],
      '*': ['http://127.0.0.1:8888'],
    });
    assert.equal(engine.cookies?.setAsideSec, 2 * 86_400);
  });

  it('refuses a player_client given twice, and a proxy given twice', () => {
    const twice = problem({
      YTCONV_YTDLP_PLAYER_CLIENT: 'mweb',
      YTCONV_YTDLP_EXTRACTOR_ARGS: 'youtube:player_client=tv',
    });
    assert.match(twice, /^YTCONV_YTDLP_PLAYER_CLIENT .*YTCONV_YTDLP_EXTRACTOR_ARGS/);
    const proxies = problem({ YTCONV_PROXY: 'http://a:1', YTCONV_PROXIES: '*=http://b:1' });
    assert.match(proxies, /^YTCONV_PROXY and YTCONV_PROXIES/);
  });

  it('reports every wrong variable at once', () => {
    const message = problem({ YTCONV_MAX_DURATION: 'x', YTCONV_MAX_DOWNLOAD: 'y' });
    assert.match(message, /YTCONV_MAX_DURATION=.*; YTCONV_MAX_DOWNLOAD=/);
  });

  it('hands child processes only the allow-listed variables', () => {
    const kept = {
      PATH: bin,
      HOME: '/home/ytconv',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TZ: 'UTC',
      TMPDIR: '/var/tmp',
      PYTHONPATH: '/opt/plugins',
      XDG_CACHE_HOME: '/cache',
      SSL_CERT_FILE: '/etc/ssl/ca.pem',
      REQUESTS_CA_BUNDLE: '/etc/ssl/ca.pem',
      https_proxy: 'http://proxy:3128',
      HTTPS_PROXY: 'http://proxy:3128',
      no_proxy: 'internal',
    };
    const secrets = {
      PGPASSWORD: 'pw',
      DATABASE_URL: 'postgres://u:pw@db/ytconv',
      SECRET_KEY: 'k'.repeat(32),
      FOO_TOKEN: 'token',
      EMAIL_HOST_PASSWORD: 'pw',
      YTCONV_ADMIN_PASSWORD: 'pw2',
      NODE_OPTIONS: '--require /tmp/evil.js',
    };
    assert.deepEqual(load({ ...kept, ...secrets }).engine.tools.env, kept);
  });
});
