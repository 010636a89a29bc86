/**
 * How failures look on the wire: always `{"error": {"code", "message"}}` with the status that goes
 * with the code. Messages of 4xx answers are written for people; a 5xx never says more than
 * "something went wrong" (the real error goes to the log).
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ConvertError, type ErrorCode } from '../errors.ts';

/** The subset of an Ajv error that the messages need. */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

function sendError(reply: FastifyReply, err: ConvertError): FastifyReply {
  return reply.code(err.status).send({ error: err.toJSON() });
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ConvertError) {
    if (error.status >= 500) request.log.error({ err: error.cause ?? error }, error.message);
    return sendError(reply, error);
  }
  if (error.validation) return sendError(reply, invalidOption(error.validation, error.validationContext));
  const status = error.statusCode ?? 500;
  if (status === 413) return sendError(reply, requestTooLarge());
  if (status >= 400 && status < 500) {
    // Fastify's own refusals, in our words (its texts name its internals, or are wrong for us).
    const message = FRAMEWORK_MESSAGES[error.code] ?? error.message;
    return reply.code(status).send({ error: { code: codeForStatus(status), message } });
  }
  request.log.error({ err: error }, 'request failed');
  return sendError(
    reply,
    new ConvertError('internal', 'Something went wrong inside ytconv; the details are in the log.'),
  );
}

export function notFoundHandler(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?')[0] ?? '';
  if (path === '/api' || path.startsWith('/api/')) {
    return sendError(reply, new ConvertError('not_found', `There is no ${request.method} ${path} in this API.`));
  }
  return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
}

const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE:
    'Send a job as JSON (content-type: application/json) or as a multipart form (multipart/form-data).',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The JSON body is empty; send an object with a "url".',
  FST_ERR_CTP_INVALID_JSON_BODY:
    'The body is not valid JSON, or uses a key that is not allowed (__proto__, constructor).',
  FST_ERR_BAD_URL: 'The address of this request is malformed (a bad %-escape).',
};

/**
 * Malformed requests that never reach a route (a bad %-escape in the path): the same answer shape
 * as every other refusal, with the headers a browser needs not to sniff it.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const message = FRAMEWORK_MESSAGES[error.code] ?? 'The request is malformed.';
  reply
    .code(400)
    .header('x-content-type-options', 'nosniff')
    .send({ error: { code: 'invalid_option', message } });
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers too large, a malformed
 * request line): answered in the same shape rather than with Fastify's own.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const message =
    status === 431
      ? 'The request headers are too large.'
      : status === 408
        ? 'The request took too long to arrive.'
        : 'The request is malformed.';
  const body = JSON.stringify({ error: { code: 'invalid_option', message } });
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'X-Content-Type-Options: nosniff',
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

/** Fastify's own 4xx refusals by status: a wrong content type is not a wrong option. */
function codeForStatus(status: number): ErrorCode {
  if (status === 404) return 'not_found';
  return status === 415 ? 'unsupported_media_type' : 'invalid_option';
}

/** Only the JSON body has Fastify's body limit; an upload over its own limit is `file_too_large`. */
function requestTooLarge(): ConvertError {
  return new ConvertError(
    'request_too_large',
    'The request body is too large for a job request; send a media file as a multipart upload.',
  );
}

/** A schema refusal as one sentence naming the field, for `invalid_option`. */
/** The first schema error as our own sentence; a field that takes several types names them all. */
export function invalidOption(errors: readonly SchemaError[] | null | undefined, context = 'body'): ConvertError {
  const error = errors?.[0];
  if (!error) return new ConvertError('invalid_option', `The request ${context} is not valid.`);
  const field = error.instancePath.split('/')[1] || String(error.params.missingProperty ?? '') || undefined;
  // Of a union ("start": a number or a time as text), each branch reports its own type.
  const types = (errors ?? [])
    .filter((e) => e.keyword === 'type' && e.instancePath === error.instancePath)
    .flatMap((e) => [e.params.type].flat().map(String));
  return new ConvertError('invalid_option', describe(error, context, types), field ? { field } : {});
}

export function jobNotFound(): never {
  throw new ConvertError('not_found', 'There is no such job. Check the link; jobs are kept only for a while.');
}

/** JSON Schema's type names as a person says them. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  number: 'a number',
  integer: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
};

function describe({ instancePath, keyword, params, message }: SchemaError, context: string, types: string[]): string {
  const field = instancePath.slice(1).replaceAll('/', '.');
  const subject = field ? `"${field}"` : `The request ${context}`;
  switch (keyword) {
    case 'required':
      return `"${String(params.missingProperty)}" is required.`;
    case 'additionalProperties':
      return `Unknown field "${String(params.additionalProperty)}".`;
    case 'format':
      return `${subject} must be a valid ${params.format === 'email' ? 'email address' : String(params.format)}.`;
    case 'enum':
      return `${subject} must be one of: ${(params.allowedValues as unknown[]).join(', ')}.`;
    case 'type':
      // "Or null" (leaving it unset) goes without saying.
      return `${subject} must be ${[...new Set(types.filter((t) => t !== 'null'))].map((t) => TYPE_WORDS[t] ?? t).join(' or ')}.`;
    default:
      return `${subject} ${message ?? 'is not valid'}.`;
  }
}
