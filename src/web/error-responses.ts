/**
 * The error answers of a route, for its schema and so for the OpenAPI document: each status the
 * route can answer, the codes it carries there and an example body per code. A route names its
 * codes; their statuses come from ERROR_CODES, so the document cannot disagree with the answers.
 */
import { STATUS_CODES } from 'node:http';
import { ERROR_CODES, type ErrorCode } from '../errors.ts';

/**
 * A message typical of each code, shown as the example body. Typed by ErrorCode, so a new code
 * cannot be added without one.
 */
const EXAMPLE_MESSAGES: Record<ErrorCode, string> = {
  invalid_url: 'Give a link to convert, or upload a file.',
  invalid_option: '"format" must be one of: mp3, m4a, opus, ogg, flac, wav.',
  unsupported_site: 'Links to example.org are not accepted here: this server takes links from youtube only.',
  forbidden_address: 'Links to 10.0.0.1 are not allowed: it is a private or local address.',
  unavailable: 'This video is private.',
  sign_in_required: 'YouTube asks to sign in to confirm your age.',
  rate_limited: 'The site is limiting how much this server may fetch for now.',
  extractor_broken: 'The site changed in a way this version of yt-dlp cannot read.',
  too_long: 'The media is 4:00:00 long; this server takes at most 3:00:00.',
  too_large: 'The playlist has more than 200 entries.',
  no_audio: 'The media has no audio track.',
  corrupt_media: 'The media cannot be decoded.',
  network: 'The site could not be reached.',
  cancelled: 'The conversion was cancelled.',
  tool_missing: 'ffmpeg is not installed on this server.',
  internal: 'Something went wrong inside ytconv; the details are in the log.',
  unauthorized: 'This server is private: sign in, or send an API key as Authorization: Bearer KEY.',
  not_found: 'There is no such job. Check the link; jobs are kept only for a while.',
  conflict: 'Only a failed or cancelled job can be retried.',
  expired: 'These files were deleted after the retention time. Convert the link again.',
  file_too_large: 'The file is larger than the 1 GB this server accepts.',
  request_too_large: 'The request body is too large for a job request; send a media file as a multipart upload.',
  unsupported_media_type:
    'Send a job as JSON (content-type: application/json) or as a multipart form (multipart/form-data).',
  too_many_requests: 'Too many new jobs from your address: this server takes 30 per minute. Try again in 40 seconds.',
  queue_unavailable: 'The conversion queue is not reachable right now; try again in a minute.',
  busy: 'This server has too many conversions waiting; try again in a few minutes.',
  interrupted: 'The conversion was interrupted 10 times (its worker stopped each time); ytconv gave up on it.',
};

/**
 * Response schemas for the given codes, one per status. Every route can fail unexpectedly, so
 * `internal` (500) is always among them.
 */
export function errorResponses(...codes: ErrorCode[]): Record<number, object> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set<ErrorCode>([...codes, 'internal'])) {
    const status = ERROR_CODES[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, group]) => [
      status,
      {
        description: `${STATUS_CODES[status]}: ${group.map((code) => `\`${code}\``).join(', ')}.`,
        content: {
          'application/json': {
            schema: { $ref: 'ApiError#' },
            examples: Object.fromEntries(
              group.map((code) => [code, { value: { error: { code, message: EXAMPLE_MESSAGES[code] } } }]),
            ),
          },
        },
      },
    ]),
  );
}
