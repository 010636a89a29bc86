/** yt-dlp's argv builders and the translation of its failures, without running it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorCode } from '../../src/errors.ts';
import { ToolError } from '../../src/pipeline/process.ts';
import { downloadArgs, formatById, infoArgs } from '../../src/pipeline/ytdlp.ts';
import { ytdlpError } from '../../src/pipeline/ytdlp-errors.ts';

describe('formatById', () => {
  it('selects an id by an exact filter, so that an id spelt like an extension stays an id', () => {
    assert.equal(formatById('webm'), 'b*[format_id="webm"]');
    assert.equal(formatById('251'), 'b*[format_id="251"]');
  });

  it('escapes a quote inside the id', () => {
    assert.equal(formatById('a"b'), 'b*[format_id="a\\"b"]');
  });

  it('is what a download asks for', () => {
    const args = downloadArgs(['--ignore-config'], '/w/info.json', 'mp4', '-');
    assert.equal(args[args.indexOf('-f') + 1], 'b*[format_id="mp4"]');
  });
});

const COOKIES_HINT =
  'Use --cookies-from-browser or --cookies for the authentication. See  https://github.com/yt-dlp/yt-dlp/wiki/FAQ#how-do-i-pass-cookies-to-yt-dlp  for how to manually pass cookies';
const REPORT =
  'please report this issue on  https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the appropriate issue template. Confirm you are on the latest version using  yt-dlp -U';

/** yt-dlp's last words (as its versions print them), the code they must give and our sentence. */
const FAILURES: [string, ErrorCode, RegExp][] = [
  [
    `[youtube] abc: Private video. Sign in if you've been granted access to this video. ${COOKIES_HINT}`,
    'sign_in_required',
    /^This video is private.*YTCONV_COOKIES_FILE/,
  ],
  [
    "[standin] Private_005: Private video. Sign in if you've been granted access to this video",
    'unavailable',
    /^This video is private\.$/,
  ],
  [
    '[youtube] abc: Video unavailable. This video has been removed by the uploader',
    'unavailable',
    /^This video has been removed\.$/,
  ],
  [
    '[youtube] abc: Video unavailable. This video is no longer available because the YouTube account associated with this video has been terminated.',
    'unavailable',
    /account that uploaded it was closed/,
  ],
  [
    '[youtube] abc: The uploader has not made this video available in your country. This video is available in Germany.',
    'unavailable',
    /not available in this server's country/,
  ],
  [
    `[youtube] abc: Sign in to confirm your age. This video may be inappropriate for some users. ${COOKIES_HINT}`,
    'sign_in_required',
    /proof of age.*YTCONV_COOKIES_FILE/,
  ],
  [
    `[youtube] abc: Sign in to confirm you\u2019re not a bot. ${COOKIES_HINT}`,
    'sign_in_required',
    /bot check.*YTCONV_COOKIES_FILE/,
  ],
  [
    '[youtube] abc: Join this channel to get access to members-only content like this video, and other exclusive perks.',
    'sign_in_required',
    /only for paying members/,
  ],
  ['[youtube] abc: This live event will begin in 3 hours.', 'unavailable', /has not started yet/],
  ['[youtube] abc: Premieres in 20 minutes', 'unavailable', /has not started yet/],
  ['unable to download video data: HTTP Error 403: Forbidden', 'unavailable', /refused to send the media/],
  ['unable to download video data: HTTP Error 404: Not Found', 'unavailable', /no longer on the site/],
  [
    "[generic] Unable to download webpage: <urlopen error [Errno 111] Connection refused> (caused by URLError(ConnectionRefusedError(111, 'Connection refused')))",
    'network',
    /^The site could not be reached\.$/,
  ],
  ['Unsupported URL: https://example.org/page', 'unsupported_site', /^This site is not supported\.$/],
  [
    '[generic] tone: Requested format is not available. Use --list-formats for a list of available formats',
    'unavailable',
    /offers no audio ytconv can download/,
  ],
  [
    `[youtube] abc: This content isn't available, try again later. The current session has been rate-limited by YouTube for up to an hour. It is recommended to use \`-t sleep\` to add a delay between video requests to avoid exceeding the rate limit. For more information, refer to  https://github.com/yt-dlp/yt-dlp/wiki/Extractors#this-content-isnt-available-try-again-later`,
    'rate_limited',
    /^The site is limiting how much this server may fetch/,
  ],
  [
    '[youtube] abc: Unable to download API page: HTTP Error 429: Too Many Requests (caused by <HTTPError 429: Too Many Requests>)',
    'rate_limited',
    /limiting/,
  ],
  ['unable to download video data: HTTP Error 429: Too Many Requests', 'rate_limited', /limiting/],
  [`[youtube] abc: Failed to extract any player response; ${REPORT}`, 'extractor_broken', /cannot read/],
  [`[youtube] abc: Unable to extract yt initial data; ${REPORT}`, 'extractor_broken', /cannot read/],
  [
    `[youtube] abc: Unable to extract initial player response - Failed to parse JSON (caused by JSONDecodeError('Expecting value')); ${REPORT}`,
    'extractor_broken',
    /cannot read/,
  ],
  [`[TikTok] 123: Unexpected response from webpage request; ${REPORT}`, 'extractor_broken', /cannot read/],
  ['[youtube] abc: Failed to parse the player response', 'extractor_broken', /cannot read/],
  [
    '[youtube] abc: Unable to download webpage: <urlopen error [Errno 111] Connection refused> (caused by TransportError)',
    'network',
    /could not be reached/,
  ],
  [
    `[generic] None: Unable to download webpage: HTTP Error 502: Bad Gateway (caused by <HTTPError 502: 'Bad Gateway'>); ${REPORT}`,
    'network',
    /could not be reached/,
  ],
  [
    '[youtube] abc: Unable to download video data: HTTP Error 503: Service Unavailable',
    'network',
    /down or overloaded/,
  ],
  ['[youtube] abc: Some new way of failing', 'internal', /does not recognise; the details are in the log/],
];

const BOT_WALL = `[youtube] abc: Sign in to confirm you\u2019re not a bot. ${COOKIES_HINT}. Also see  https://github.com/yt-dlp/yt-dlp/wiki/Extractors#exporting-youtube-cookies  for tips on effectively exporting YouTube cookies`;

describe('ytdlpError', () => {
  for (const [line, code, sentence] of FAILURES) {
    it(`says "${line.slice(0, 60)}…" as ${code}, in our own words`, () => {
      const stderr = `[debug] something\nWARNING: [youtube] a warning\nERROR: ${line}\n`;
      const tool = new ToolError('yt-dlp', { exitCode: 1, stderr });
      const err = ytdlpError(tool, []);
      assert.equal(err.code, code);
      assert.match(err.message, sentence);
      assert.doesNotMatch(err.message, /github|yt-dlp -U|report|--cookies|\[youtube\]|ERROR/i);
      assert.ok(!err.message.includes(line.slice(line.indexOf(':') + 2, line.indexOf(':') + 30)), err.message);
      assert.equal(err.cause, tool, 'the raw text stays in the cause, for the logs');
    });
  }

  it('marks the bot wall as such, and no other sign-in', () => {
    const failing = (line: string) =>
      ytdlpError(new ToolError('yt-dlp', { exitCode: 1, stderr: `ERROR: ${line}\n` }), []);
    const wall = failing(BOT_WALL);
    assert.equal(wall.code, 'sign_in_required');
    assert.equal(wall.reason, 'bot_wall');
    assert.ok(wall.botWall);
    assert.match(wall.message, /bot check/);
    const age = failing(`[youtube] abc: Sign in to confirm your age. ${COOKIES_HINT}`);
    assert.equal(age.code, 'sign_in_required');
    assert.equal(age.botWall, false);
  });

  it('reports yt-dlp finding no audio', () => {
    const tool = new ToolError('yt-dlp', { exitCode: 1, stderr: 'ERROR: [standin] abc: This video has no audio\n' });
    assert.equal(ytdlpError(tool, []).code, 'no_audio');
  });

  it('puts our own limits and states before what yt-dlp printed', () => {
    const stderr = 'ERROR: [youtube] abc: Video unavailable\n';
    assert.equal(ytdlpError(new ToolError('yt-dlp', { notFound: true }), []).code, 'tool_missing');
    assert.equal(ytdlpError(new ToolError('yt-dlp', { isCanceled: true, stderr }), []).code, 'cancelled');
    assert.equal(ytdlpError(new ToolError('yt-dlp', { exitCode: 1, stderr }), ['10.0.0.1']).code, 'forbidden_address');
  });
});

describe('infoArgs', () => {
  it('lists a playlist flat and no further than one entry past the limit', () => {
    const args = infoArgs([], 'https://www.youtube.com/@channel/videos', { formatSpec: 'bestaudio', maxEntries: 200 });
    assert.ok(args.includes('--flat-playlist'));
    assert.equal(args[args.indexOf('--playlist-end') + 1], '201');
    assert.deepEqual(args.slice(-2), ['--', 'https://www.youtube.com/@channel/videos']);
  });
});
