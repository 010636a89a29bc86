/**
 * How failures look on the wire: always `{"error": {"code", "message"}}` with the status that goes
 * with the code. Messages of 4xx answers are written for people; a 5xx never says more than
 * "something went wrong" (the real error goes to the log).
 */
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
  if (error.validation) return sendError(reply, invalidOption(error.validation[0], error.validationContext));
  const status = error.statusCode ?? 500;
  if (status === 413) return sendError(reply, requestTooLarge());
  // Fastify's other refusals (malformed JSON, unsupported media type) explain themselves.
  if (status >= 400 && status < 500) {
    return reply.code(status).send({ error: { code: codeForStatus(status), message: error.message } });
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

function codeForStatus(status: number): ErrorCode {
  return status === 404 ? 'not_found' : 'invalid_option';
}

/** Only the JSON body has Fastify's body limit; an upload over its own limit is `file_too_large`. */
function requestTooLarge(): ConvertError {
  return new ConvertError(
    'request_too_large',
    'The request body is too large for a job request; send a media file as a multipart upload.',
  );
}

/** A schema refusal as one sentence naming the field, for `invalid_option`. */
export function invalidOption(error: SchemaError | undefined, context = 'body'): ConvertError {
  return new ConvertError('invalid_option', error ? describe(error, context) : `The request ${context} is not valid.`);
}

export function jobNotFound(): never {
  throw new ConvertError('not_found', 'There is no such job. Check the link; jobs are kept only for a while.');
}

function describe({ instancePath, keyword, params, message }: SchemaError, context: string): string {
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
      return `${subject} must be ${[params.type].flat().join(' or ')}.`;
    default:
      return `${subject} ${message ?? 'is not valid'}.`;
  }
}
