/**
 * The one error type ytconv shows to people. Every failure of a conversion ends as a
 * ConvertError with a stable `code` (API clients and tests branch on it) and a message a
 * person can act on. Nothing else (stack traces, tool stderr) is shown to a user.
 */

export const ERROR_CODES = {
  invalid_url: 400,
  invalid_option: 400,
  unsupported_site: 422,
  forbidden_address: 422,
  unavailable: 422,
  sign_in_required: 422,
  rate_limited: 503,
  extractor_broken: 502,
  too_long: 422,
  too_large: 413,
  no_audio: 422,
  corrupt_media: 422,
  network: 502,
  cancelled: 409,
  tool_missing: 503,
  internal: 500,
  // The service's own refusals, beside the engine's.
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  expired: 410,
  file_too_large: 413,
  request_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  queue_unavailable: 503,
  busy: 503,
  interrupted: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * What a code alone does not say but other code must know, read from the error instead of its
 * text: `bot_wall`, a `sign_in_required` that is the site's bot check ("confirm you're not a bot"),
 * which is about this server's address or session rather than the video.
 */
export const ERROR_REASONS = ['bot_wall'] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

export class ConvertError extends Error {
  override readonly name = 'ConvertError';
  readonly code: ErrorCode;
  /** The request field at fault (`start`, `quality`…), when one is: forms point at it. */
  readonly field: string | null;
  readonly reason: ErrorReason | null;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; field?: string; reason?: ErrorReason | null },
  ) {
    super(message, options);
    this.code = code;
    this.field = options?.field ?? null;
    this.reason = options?.reason ?? null;
  }

  /** The site showed this server its bot check: a matter of the server's address or session. */
  get botWall(): boolean {
    return this.reason === 'bot_wall';
  }

  /** HTTP status that goes with the code, for the web layer. */
  get status(): number {
    return ERROR_CODES[this.code];
  }

  toJSON(): { code: ErrorCode; message: string; field?: string } {
    return { code: this.code, message: this.message, ...(this.field !== null && { field: this.field }) };
  }
}

/** Any thrown value as a ConvertError; unknown failures become `internal` without leaking details. */
export function asConvertError(err: unknown): ConvertError {
  if (err instanceof ConvertError) return err;
  return new ConvertError('internal', 'Something went wrong inside ytconv; the details are in the log.', {
    cause: err,
  });
}
