/**
 * One sentence per error code for people: what happened and what they can do about it. The page
 * shows it above the error's own message (which names the specifics: a limit, the option at
 * fault); it gets them from `GET /api/options`, so they are written only here.
 */
import type { ErrorCode } from './errors.ts';

export const ERROR_HINTS: Readonly<Record<ErrorCode, string>> = {
  invalid_url: 'That doesn’t look like a link ytconv can read. Paste the full address of a video or playlist.',
  invalid_option: 'One of the options isn’t valid. Check the quality and the trim times.',
  unsupported_site: 'Links from this site aren’t supported on this server.',
  forbidden_address: 'That link leads to a private or local network address, which this server doesn’t fetch.',
  unavailable: 'This video isn’t available: it may be private, removed, or blocked in the server’s region.',
  sign_in_required:
    'The site wants a sign-in for this video (an age or bot check). The server’s admin can add a cookies file or update yt-dlp.',
  rate_limited:
    'The video site is limiting how much this server may fetch right now. ytconv waits and tries again by itself.',
  extractor_broken:
    'The video site changed in a way this server’s yt-dlp cannot read yet. It is tried again once yt-dlp is updated.',
  too_long: 'This media is longer than this server accepts.',
  too_large: 'This media is larger than this server is allowed to download.',
  no_audio: 'This media has no audio track, so there is nothing to convert.',
  corrupt_media: 'The media could not be decoded. The file may be damaged or in a format ffmpeg can’t read.',
  network: 'The video site could not be reached. This is usually temporary, so try again in a minute.',
  cancelled: 'This conversion was cancelled.',
  tool_missing: 'The server is missing a tool it needs (ffmpeg or yt-dlp). Please tell the person who runs it.',
  internal: 'Something went wrong on the server. Trying again may help; the details are in the server’s log.',
  unauthorized: 'This server is private. Sign in to use it.',
  not_found: 'There is no conversion at this address. The link may be mistyped, or the conversion was deleted.',
  conflict: 'That conversion changed meanwhile. Reload the page to see where it stands.',
  expired: 'The files of this conversion have expired.',
  file_too_large: 'This file is bigger than the server accepts for uploads.',
  unsupported_media_type: 'The server takes JSON or an upload form; this request was neither.',
  request_too_large: 'The request was too large for the server. Check the link and the email address.',
  too_many_requests: 'You have started many conversions in a short time. Wait a little before the next one.',
  queue_unavailable: 'The conversion queue is unavailable right now. Please try again in a moment.',
  busy: 'The server has many conversions waiting right now. Please try again in a few minutes.',
  interrupted: 'The conversion was interrupted too many times on the server. Trying again may help.',
};
