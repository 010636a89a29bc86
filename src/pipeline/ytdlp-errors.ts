/**
 * yt-dlp's failures as a person should see them: a ConvertError code and a sentence of ours, never
 * yt-dlp's own words (which may tell people to report bugs on GitHub or run yt-dlp -U).
 */
import { ConvertError, type ErrorCode, type ErrorReason } from '../errors.ts';
import { ToolError } from './process.ts';

/** The last `ERROR:` line yt-dlp printed, without its `[extractor] id:` prefix. */
function errorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.startsWith('ERROR:'));
  const last = lines.at(-1) ?? '';
  return last
    .replace(/^ERROR:\s*/, '')
    .replace(/^\[[^\]]+\]\s*(?:[\w-]+:\s*)?/, '')
    .trim();
}

const SIGN_IN_HELP =
  'An operator can give ytconv a cookies file of a signed-in browser session (YTCONV_COOKIES_FILE) or update yt-dlp (ytconv ytdlp update).';

/**
 * A class of yt-dlp failure: `match` decides the code (first class wins, tried on the last ERROR
 * line), then the first of `reasons` that matches picks our sentence (and the error's `reason`, if
 * it names one), else `message` does. yt-dlp's own words (which may tell people to report bugs on
 * GitHub or run yt-dlp -U) never reach a user; they stay in the error's cause, for the logs.
 */
interface FailureClass {
  code: ErrorCode;
  match: RegExp;
  message: string;
  reasons?: readonly Reason[];
}

type Reason = readonly [RegExp, string] | readonly [RegExp, string, ErrorReason];

const FAILURES: readonly FailureClass[] = [
  { code: 'unsupported_site', match: /Unsupported URL|No suitable extractor/i, message: 'This site is not supported.' },
  { code: 'invalid_url', match: /is not a valid URL/i, message: 'This is not a valid link.' },
  // Before the sign-in and unavailable classes: YouTube's rate-limit answer reads "This content
  // isn't available, try again later", and yt-dlp adds that the session "has been rate-limited by
  // YouTube for up to an hour"; a 429 may come from any request, the page's or the media's.
  {
    code: 'rate_limited',
    match: /try again later|rate.limited|HTTP Error 429|Too Many Requests/i,
    message: 'The site is limiting how much this server may fetch for now.',
  },
  // A server error: the site's own, or the address guard's 502 when the host could not be reached
  // (a name that does not resolve, say). yt-dlp may add "please report" to it, but it is no sign
  // of a site that changed, and waiting for a newer yt-dlp would be wrong. Before `unavailable`:
  // a 503 reads "Service Unavailable".
  {
    code: 'network',
    match: /HTTP Error 5\d\d/i,
    message: 'The site could not be reached.',
    reasons: [[/HTTP Error 50[34]/i, 'The site is down or overloaded for now; try again later.']],
  },
  {
    code: 'sign_in_required',
    match:
      /Sign in to confirm|confirm your age|inappropriate for some users|age.restricted|members.only|Premium members|requires payment|login required|--cookies/i,
    message: `The site shows this video only to a signed-in user. ${SIGN_IN_HELP}`,
    reasons: [
      [
        /confirm your age|inappropriate for some users|age.restricted/i,
        `The site wants proof of age for this video. ${SIGN_IN_HELP}`,
      ],
      [
        /not a bot/i,
        `The site wants a signed-in user before it serves this server (a bot check). ${SIGN_IN_HELP}`,
        'bot_wall',
      ],
      [/members.only|Premium members|requires payment/i, `This video is only for paying members. ${SIGN_IN_HELP}`],
      [/Private video/i, `This video is private: only accounts the uploader invited can watch it. ${SIGN_IN_HELP}`],
    ],
  },
  {
    code: 'unavailable',
    match:
      /Private video|unavailable|removed|not available|in your country|terminated|does not exist|HTTP Error 40[134]|HTTP Error 410|live event will begin|Premieres in|not currently live/i,
    message: 'This video is unavailable.',
    reasons: [
      [/Private video/i, 'This video is private.'],
      [/in your country|from your location/i, "This video is not available in this server's country."],
      [/terminated/i, 'This video is gone: the account that uploaded it was closed.'],
      [/removed|deleted/i, 'This video has been removed.'],
      [
        /live event will begin|Premieres in|not currently live/i,
        'This live stream has not started yet; try again once it is live.',
      ],
      // No format matched the selector (its "not available" makes it this class).
      [/Requested format is not available/i, 'The site offers no audio ytconv can download for this video.'],
      [/HTTP Error 403/i, 'The site refused to send the media.'],
      [/HTTP Error 40[14]|HTTP Error 410/i, 'The media is no longer on the site.'],
    ],
  },
  {
    code: 'no_audio',
    match: /no audio/i,
    message: 'This video has no audio track to convert.',
  },
  // yt-dlp appends "please report this issue" to every error it did not expect: its extractor no
  // longer understands the site (the page, the player or an API answer changed). A newer yt-dlp is
  // the fix. After the classes above, whose errors are what they say even when yt-dlp adds it (a
  // 5xx, say); before `network`, since an unexpected answer may still name a connection.
  {
    code: 'extractor_broken',
    match:
      /please report this issue|Unable to extract|Failed to extract|Unexpected (?:[\w ]+ )?response|Failed to parse|Unable to parse/i,
    message: 'The site changed in a way this version of yt-dlp cannot read.',
  },
  {
    code: 'network',
    match: /HTTP Error|Unable to download|timed out|Connection|resolve|urlopen|IncompleteRead|Errno/i,
    message: 'The site could not be reached.',
  },
];

/** Our sentence for yt-dlp's last ERROR line. */
function classify(why: string): { code: ErrorCode; message: string; reason: ErrorReason | null } {
  const failure = FAILURES.find((f) => f.match.test(why));
  if (!failure)
    return {
      code: 'internal',
      message: 'yt-dlp failed in a way ytconv does not recognise; the details are in the log.',
      reason: null,
    };
  const reason = failure.reasons?.find(([pattern]) => pattern.test(why));
  return { code: failure.code, message: reason?.[1] ?? failure.message, reason: reason?.[2] ?? null };
}

/** Turn a failed yt-dlp run into the error a person should see. */
export function ytdlpError(err: unknown, refused: readonly string[]): ConvertError {
  if (err instanceof ConvertError) return err;
  if (!(err instanceof ToolError)) return new ConvertError('internal', 'yt-dlp could not be run.', { cause: err });
  if (err.notFound)
    return new ConvertError('tool_missing', 'yt-dlp is not installed: run make install, or set YTCONV_YTDLP.');
  if (err.isCanceled) return new ConvertError('cancelled', 'The conversion was cancelled.');
  if (refused.length > 0) {
    return new ConvertError('forbidden_address', `Refused to connect to a private or local address (${refused[0]}).`);
  }
  if (err.timedOut) return new ConvertError('network', 'The site took too long to answer.', { cause: err });
  const { code, message, reason } = classify(errorLine(err.stderr));
  return new ConvertError(code, message, { cause: err, reason });
}
