import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConvertError, type ErrorCode } from '../../src/errors.ts';
import { run, ToolError } from '../../src/pipeline/process.ts';
import { isSiteAllowed, parseSource, ytdlpExtractorFilter } from '../../src/pipeline/sources.ts';

const ID = 'dQw4w9WgXcQ';
const WATCH = `https://www.youtube.com/watch?v=${ID}`;
const LIST = 'PLBB231211A4F62143';
const PLAYLIST = `https://www.youtube.com/playlist?list=${LIST}`;

const video = { site: 'youtube', id: ID, type: 'video', canonicalUrl: WATCH } as const;
const playlist = { site: 'youtube', id: LIST, type: 'playlist', canonicalUrl: PLAYLIST } as const;
const channel = (canonicalUrl: string) => ({ site: 'youtube', id: null, type: 'channel', canonicalUrl }) as const;
const otherSite = (canonicalUrl: string) => ({ site: null, id: null, type: 'unknown', canonicalUrl }) as const;

type Expected = { site: string | null; id: string | null; type: string; canonicalUrl: string };

const URL_CASES: readonly [input: string, expected: Expected | ErrorCode][] = [
  // Watch pages on every YouTube host
  [`https://www.youtube.com/watch?v=${ID}`, video],
  [`https://m.youtube.com/watch?v=${ID}`, video],
  [`https://youtube.com/watch?v=${ID}`, video],
  [`https://music.youtube.com/watch?v=${ID}`, video],
  [`https://www.youtube-nocookie.com/embed/${ID}`, video],
  [`https://www.youtubekids.com/watch?v=${ID}`, video],
  [`https://youtube.googleapis.com/v/${ID}`, video],
  [`http://www.youtube.com/watch?v=${ID}`, video],
  [`HTTPS://WWW.YouTube.COM/watch?v=${ID}`, video],
  [`https://www.youtube.com./watch?v=${ID}`, video],
  // Without a scheme, or protocol-relative
  [`www.youtube.com/watch?v=${ID}`, video],
  [`youtube.com/watch?v=${ID}`, video],
  [`m.youtube.com/watch?v=${ID}`, video],
  [`youtu.be/${ID}`, video],
  [`//www.youtube.com/watch?v=${ID}`, video],
  [`  https://youtu.be/${ID}\n`, video],
  // Short links and path forms
  [`https://youtu.be/${ID}`, video],
  [`https://youtu.be/${ID}?t=42&si=abcDEF123`, video],
  [`https://youtu.be/${ID}?list=${LIST}`, video],
  [`https://www.youtube.com/shorts/${ID}`, video],
  [`https://youtube.com/shorts/${ID}?feature=share`, video],
  [`https://www.youtube.com/live/${ID}?si=xyz`, video],
  [`https://www.youtube.com/embed/${ID}?start=10&autoplay=1`, video],
  [`https://www.youtube.com/v/${ID}?version=3&hl=en_US`, video],
  [`https://m.youtube.com/e/${ID}`, video],
  [`https://www.youtube.com/watch/${ID}`, video],
  [`https://www.youtube.com/shorts/${ID}/`, video],
  // Extra parameters, other orders, fragments
  [`https://www.youtube.com/watch?v=${ID}&t=1m30s`, video],
  [`https://www.youtube.com/watch?feature=share&v=${ID}`, video],
  [`https://www.youtube.com/watch?v=${ID}&list=${LIST}&index=3`, video],
  [`https://www.youtube.com/watch?list=${LIST}&v=${ID}&pp=ygUEdGVzdA%3D%3D`, video],
  [`https://music.youtube.com/watch?v=${ID}&list=RDAMVM${ID}`, video],
  [`https://www.youtube.com/watch?v=${ID}#t=30`, video],
  [`https://www.youtube.com/watch?feature=player_embedded&amp;v=${ID}`, video],
  [`https://www.youtube.com/watch?v=${ID}&v=BaW_jenozKc`, video],
  [`https://www.youtube.com/?v=${ID}`, video],
  [`https://www.youtube.com/watch_popup?v=${ID}`, video],
  [`https://www.youtube.com/watch#!v=${ID}`, video],
  [`https://www.youtube.com/#/watch?v=${ID}`, video],
  [`https://www.youtube.com/attribution_link?a=JdfC0C9V6ZI&u=%2Fwatch%3Fv%3D${ID}%26feature%3Dshare`, video],
  [`https://www.youtube.com/attribution_link?u=/watch%3Fv%3D${ID}%26feature%3Dshare`, video],
  // Playlists
  [`https://www.youtube.com/playlist?list=${LIST}`, playlist],
  [`youtube.com/playlist?list=${LIST}&si=abc`, playlist],
  [`https://music.youtube.com/playlist?list=${LIST}`, playlist],
  [`https://www.youtube.com/watch?list=${LIST}`, playlist],
  [`https://www.youtube.com/embed/videoseries?list=${LIST}`, playlist],
  [`https://www.youtube.com/watch?v=&list=${LIST}`, playlist],
  // Channels and their tabs
  ['https://www.youtube.com/@SomeChannel', channel('https://www.youtube.com/@SomeChannel')],
  ['https://WWW.YOUTUBE.COM/channel/UC123/videos', channel('https://www.youtube.com/channel/UC123/videos')],
  ['https://www.youtube.com/c/SomeName', channel('https://www.youtube.com/c/SomeName')],
  ['https://www.youtube.com/user/someone/', channel('https://www.youtube.com/user/someone/')],
  ['https://music.youtube.com/browse/UC123', channel('https://music.youtube.com/browse/UC123')],
  // YouTube pages that name nothing to convert
  ['youtube.com', 'invalid_url'],
  ['https://www.youtube.com/', 'invalid_url'],
  ['https://www.youtube.com/results?search_query=a+b', 'invalid_url'],
  ['https://www.youtube.com/watch', 'invalid_url'],
  ['https://www.youtube.com/watch?v=', 'invalid_url'],
  ['https://www.youtube.com/feed/trending', 'invalid_url'],
  ['https://www.youtube.com/channel/', 'invalid_url'],
  ['https://www.youtube.com/@', 'invalid_url'],
  // Broken YouTube ids
  ['https://www.youtube.com/watch?v=dQw4w9WgXc', 'invalid_url'],
  ['https://www.youtube.com/watch?v=dQw4w9WgXcQQ', 'invalid_url'],
  ['https://youtu.be/dQw4w9WgX!Q', 'invalid_url'],
  ['https://youtu.be/', 'invalid_url'],
  ['https://www.youtube.com/shorts/abc', 'invalid_url'],
  ['https://www.youtube.com/embed/dQw4w9WgXcQ123', 'invalid_url'],
  ['https://www.youtube.com/playlist?list=P!', 'invalid_url'],
  // Look-alike hosts are not YouTube
  [`https://youtube.com.evil.example/watch?v=${ID}`, otherSite(`https://youtube.com.evil.example/watch?v=${ID}`)],
  [`https://notyoutube.com/watch?v=${ID}`, otherSite(`https://notyoutube.com/watch?v=${ID}`)],
  [`https://a.b.youtube.com/watch?v=${ID}`, otherSite(`https://a.b.youtube.com/watch?v=${ID}`)],
  // Other sites
  ['https://vimeo.com/76979871', otherSite('https://vimeo.com/76979871')],
  ['soundcloud.com/artist/track', otherSite('https://soundcloud.com/artist/track')],
  ['http://Example.COM:8080/a b.mp3', otherSite('http://example.com:8080/a%20b.mp3')],
  ['localhost:8080/x.mp3', otherSite('https://localhost:8080/x.mp3')],
  ['http://127.0.0.1/x.mp3', otherSite('http://127.0.0.1/x.mp3')],
  ['example.com', otherSite('https://example.com/')],
  // Not links at all
  ['', 'invalid_url'],
  ['   ', 'invalid_url'],
  ['hello world', 'invalid_url'],
  [ID, 'invalid_url'],
  ['ftp://example.com/file.mp3', 'invalid_url'],
  ['file:///etc/passwd', 'invalid_url'],
  ['javascript:alert(1)', 'invalid_url'],
  ['https://', 'invalid_url'],
  ['http://exa mple.com/', 'invalid_url'],
  ['https://[::1/', 'invalid_url'],
  // Control characters, which the URL parser would drop or keep silently
  [`https://www.youtube.com/watch?v=${ID}\r\nX-Injected: 1`, 'invalid_url'],
  [`https://you\ttube.com/watch?v=${ID}`, 'invalid_url'],
  [`https://www.youtube.com/watch?v=${ID}\u0000`, 'invalid_url'],
  [`youtu.be/${ID}\nhttps://evil.example/`, 'invalid_url'],
  [`https://www.youtube.com/watch?v=${ID}\u007f`, 'invalid_url'],
];

function assertParsesAs(input: string, expected: Expected | ErrorCode, allowFiles: boolean): void {
  if (typeof expected === 'string') {
    assert.throws(
      () => parseSource(input, { allowFiles }),
      (err) => err instanceof ConvertError && err.code === expected && err.message.length > 0,
    );
    return;
  }
  const source = parseSource(input, { allowFiles });
  assert.equal(source.kind, 'url');
  if (source.kind !== 'url') return;
  const { site, id, type, canonicalUrl } = source;
  assert.deepEqual({ site, id, type, canonicalUrl }, expected);
  assert.ok(URL.canParse(source.url) && !/\s/.test(source.url), `url is normalised: ${source.url}`);
}

describe('parseSource', () => {
  for (const [input, expected] of URL_CASES) {
    const outcome = typeof expected === 'string' ? `refuses with ${expected}` : `maps to ${expected.canonicalUrl}`;
    it(`${outcome}: ${JSON.stringify(input)}`, () => assertParsesAs(input, expected, false));
  }

  it('parses every link with a path the same way when files are allowed', () => {
    for (const [input, expected] of URL_CASES) {
      if (typeof expected !== 'string' && input.includes('/')) assertParsesAs(input, expected, true);
    }
  });

  it('keeps the given URL apart from the canonical one', () => {
    const source = parseSource(`youtu.be/${ID}?t=42`, { allowFiles: false });
    assert.deepEqual(source, { ...video, kind: 'url', url: `https://youtu.be/${ID}?t=42` });
  });

  const FILE_CASES = [
    'song.mp3',
    'song.flac',
    './music.v2/song.mp3',
    '/srv/media/a b.wav',
    'music/song.ogg',
    ID,
    'a:1.mp3',
  ];
  for (const path of FILE_CASES) {
    it(`takes ${JSON.stringify(path)} as a local file when files are allowed`, () => {
      assert.deepEqual(parseSource(path, { allowFiles: true }), { kind: 'file', path });
    });
  }

  it('still refuses non-http schemes when files are allowed', () => {
    assert.throws(() => parseSource('file:///tmp/a.mp3', { allowFiles: true }), { code: 'invalid_url' });
  });
});

describe('isSiteAllowed', () => {
  const CASES: readonly [name: string, allowed: readonly string[] | '*', expected: boolean][] = [
    ['youtube', ['youtube'], true],
    ['youtube:tab', ['youtube'], true],
    ['youtube:playlist', ['YouTube'], true],
    ['YouTube:Tab', ['youtube'], true],
    ['youtube:search:date', ['youtube'], true],
    ['YoutubeYtBe', ['youtube'], false],
    ['youtubekids', ['youtube'], false],
    ['youtube', ['youtube:tab'], false],
    ['youtube:tab', ['youtube:tab'], true],
    ['generic', ['youtube'], false],
    ['generic', ['youtube', 'generic'], true],
    ['soundcloud:set', ['youtube', 'soundcloud'], true],
    ['generic', [], false],
    ['anything:at:all', '*', true],
  ];
  for (const [name, allowed, expected] of CASES) {
    it(`${expected ? 'allows' : 'refuses'} ${name} with ${JSON.stringify(allowed)}`, () => {
      assert.equal(isSiteAllowed(name, allowed), expected);
    });
  }
});

describe('ytdlpExtractorFilter', () => {
  it('is null (no option) when every site is allowed', () => {
    assert.equal(ytdlpExtractorFilter('*'), null);
  });

  it('turns each name into an escaped regex that also matches its sub-extractors', () => {
    assert.equal(ytdlpExtractorFilter(['YouTube', 'generic']), 'youtube(?::.*)?,generic(?::.*)?');
    assert.equal(ytdlpExtractorFilter(['tv2play.hu']), 'tv2play\\.hu(?::.*)?');
    assert.equal(ytdlpExtractorFilter(['-all']), '\\-all(?::.*)?');
  });

  it('loads no extractor for an empty list instead of yt-dlp falling back to all of them', () => {
    assert.equal(ytdlpExtractorFilter([]), '-all');
  });

  it('refuses a name yt-dlp would split in two', () => {
    assert.throws(() => ytdlpExtractorFilter(['youtube,generic']), { code: 'invalid_option' });
  });

  const YTDLP = '/usr/bin/yt-dlp';
  it('makes yt-dlp load youtube and its sub-extractors but not generic', { skip: !existsSync(YTDLP) }, async () => {
    const filter = ytdlpExtractorFilter(['youtube']) ?? '';
    // An unsupported URL on a closed loopback port: yt-dlp fails before any network traffic.
    const err = await run('yt-dlp', YTDLP, ['-v', '--ies', filter, '-J', '--', 'http://127.0.0.1:9/x.mp3'], {
      env: process.env,
    }).catch((e: unknown) => e);
    assert.ok(err instanceof ToolError);
    const loaded = Number(/Loaded (\d+) extractors/.exec(err.stderr)?.[1]);
    assert.ok(loaded > 5, `loaded ${loaded} extractors`);
    assert.match(err.stderr, /No suitable extractor|Unsupported URL/);
  });
});
