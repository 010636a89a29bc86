/**
 * The stand-in site works through the real yt-dlp: the one named by YTCONV_YTDLP, else Debian's.
 * Run it once per yt-dlp version (`YTCONV_YTDLP=/work/ytdlp-new/yt-dlp node --test test/site/site.test.ts`).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { run, ToolError } from '../../src/pipeline/process.ts';
import { PLAYLISTS, VIDEOS } from './catalog.ts';
import { parseRange } from './serve.ts';
import { type Site, startSite } from './server.ts';

const YTDLP = process.env.YTCONV_YTDLP ?? '/usr/bin/yt-dlp';

let site: Site;
before(async () => {
  site = await startSite();
});
after(() => site.close());

async function ytdlpJson(...args: string[]): Promise<Record<string, unknown>> {
  const stdout = await run('yt-dlp', YTDLP, ['--ignore-config', '--no-update', '-J', ...args], {
    env: { ...process.env, PYTHONPATH: site.pluginDir },
    timeoutMs: 20_000,
  });
  return JSON.parse(stdout);
}

describe('the stand-in site through yt-dlp', () => {
  it('gives every video an id shaped like YouTube’s', () => {
    for (const video of Object.values(VIDEOS)) assert.match(video.id, /^[A-Za-z0-9_-]{11}$/);
  });

  it('extracts a video with the plugin, its formats, chapters and metadata', async () => {
    const info = await ytdlpJson('--', site.watchUrl('basic'));
    const formats = info.formats as { format_id: string; container?: string; filesize?: number }[];
    assert.equal(info.extractor_key, 'StandIn');
    assert.equal(info.id, VIDEOS.basic.id);
    assert.equal(info.title, 'Test Artist - Sine Song');
    assert.equal(info.upload_date, '20240131');
    assert.deepEqual(formats.map((f) => f.format_id).sort(), ['140', '18', '251']);
    const opus = formats.find((f) => f.format_id === '251');
    assert.equal(opus?.container, 'webm_dash');
    assert.equal(opus?.filesize, (await readFile(site.mediaPath('basic', '251'))).length);
    assert.deepEqual(info.chapters, [
      { start_time: 0, end_time: 4, title: 'Intro' },
      { start_time: 4, end_time: 8.5, title: 'Middle' },
      { start_time: 8.5, end_time: 12, title: 'Outro' },
    ]);
    assert.deepEqual(
      site.requests.filter((r) => r.path.startsWith('/media/')),
      [],
      'extraction downloads no media',
    );
  });

  it('lists a playlist without extracting its entries', async () => {
    const info = await ytdlpJson('--flat-playlist', '--', site.playlistUrl('mix'));
    const entries = info.entries as { id: string; ie_key: string }[];
    assert.equal(info.extractor_key, 'StandInPlaylist');
    assert.equal(info.title, PLAYLISTS.mix.title);
    assert.deepEqual(
      entries.map((e) => e.id),
      PLAYLISTS.mix.entries.map((name) => VIDEOS[name].id),
    );
    assert.ok(entries.every((e) => e.ie_key === 'StandIn'));
  });

  it('answers YouTube’s canonical link for its own video when told its origin', async () => {
    await site.addVideo({ name: 'aliased', seconds: 2, bytesPerSecond: 1_000_000 });
    const stdout = await run(
      'yt-dlp',
      YTDLP,
      ['--ignore-config', '--no-update', '-J', '--', site.youtubeUrl('aliased')],
      {
        env: { ...process.env, PYTHONPATH: site.pluginDir, ...site.youtubeAliasEnv },
        timeoutMs: 20_000,
      },
    );
    const info = JSON.parse(stdout) as { extractor_key: string; id: string };
    assert.equal(info.extractor_key, 'StandInYouTube');
    assert.equal(info.id, site.video('aliased').id);
    assert.deepEqual(site.video('aliased').delivery, { kind: 'slow', bytesPerSecond: 1_000_000 });
  });

  it('fails a private video with YouTube’s message', async () => {
    await assert.rejects(ytdlpJson('--', site.watchUrl('private')), (err) => {
      assert.ok(err instanceof ToolError);
      assert.match(err.stderr, /ERROR: .*Private video\. Sign in/);
      return true;
    });
  });
});

describe('the stand-in site over HTTP', () => {
  it('serves byte ranges of media as a CDN does', async () => {
    const file = await readFile(site.mediaPath('basic', '140'));
    const url = `${site.origin}/media/${VIDEOS.basic.id}/140`;
    const res = await fetch(url, { headers: { Range: 'bytes=100-199' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), `bytes 100-199/${file.length}`);
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(res.headers.get('content-type'), 'audio/mp4');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), file.subarray(100, 200));
    assert.equal(site.mediaBytesSent, 100, 'counted as media sent');
    const beyond = await fetch(url, { headers: { Range: `bytes=${file.length}-` } });
    assert.equal(beyond.status, 416);
    const { at, ...last } = site.requests.at(-1) ?? { at: 0 };
    assert.ok(Math.abs(Date.now() - at) < 5000, 'stamped with its arrival time');
    assert.deepEqual(last, {
      method: 'GET',
      path: new URL(url).pathname,
      status: 416,
      range: `bytes=${file.length}-`,
    });
  });
});

describe('parseRange', () => {
  const cases: [string | undefined, ReturnType<typeof parseRange>][] = [
    [undefined, null],
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=900-', { start: 900, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=0-5000', { start: 0, end: 999 }],
    ['bytes=1000-', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=5-1', null],
    ['bytes=0-1,5-9', null],
    ['items=0-1', null],
  ];
  it('reads one byte range of a 1000-byte file as RFC 9110 says, ignoring what it does not honour', () => {
    for (const [header, expected] of cases) assert.deepEqual(parseRange(header, 1000), expected, header);
  });
});
