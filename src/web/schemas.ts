/**
 * JSON schemas of the API. Fastify validates requests and serialises responses with them, and
 * @fastify/swagger turns them into the OpenAPI document, so the docs cannot drift from the code.
 * Shared shapes are registered once with an `$id` and become `components.schemas`.
 */
import { ERROR_CODES } from '../errors.ts';
import { JOB_STATUSES } from '../jobs/types.ts';
import { AUDIO_FORMATS } from '../pipeline/types.ts';

const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra });

const apiError = {
  $id: 'ApiError',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_CODES) },
        message: { type: 'string' },
      },
    },
  },
} as const;

const jobFile = {
  $id: 'JobFile',
  type: 'object',
  required: ['name', 'size', 'duration', 'format', 'bitrate', 'url'],
  properties: {
    name: { type: 'string' },
    size: { type: 'integer', description: 'Bytes.' },
    duration: { type: 'number', description: 'Seconds.' },
    format: { type: 'string', enum: AUDIO_FORMATS },
    bitrate: { type: 'integer', description: 'Bits per second.' },
    url: { type: 'string', description: 'Download URL, relative to the site.' },
  },
} as const;

const jobView = {
  $id: 'JobView',
  type: 'object',
  required: [
    'id',
    'status',
    'phase',
    'progress',
    'eta',
    'title',
    'duration',
    'thumbnail',
    'cover',
    'error',
    'source',
    'options',
    'files',
    'created_at',
    'expires_at',
    'expired',
  ],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: JOB_STATUSES },
    phase: nullable('string', { description: 'probing, downloading, converting or tagging.' }),
    progress: nullable('number', { description: 'Fraction of the current phase done, 0 to 1.' }),
    eta: nullable('number', { description: 'Seconds left in the current phase.' }),
    title: nullable('string'),
    duration: nullable('number', { description: 'Seconds.' }),
    thumbnail: nullable('string', {
      description: 'The source’s own thumbnail URL, on the video site (the page never loads it).',
    }),
    cover: nullable('string', {
      description:
        'The square cover embedded in the files, served by ytconv (relative URL, `GET /api/jobs/{id}/cover/{version}`), once the worker has made it; null before, and for cancelled or expired jobs.',
    }),
    error: {
      type: ['object', 'null'],
      required: ['code', 'message'],
      properties: apiError.properties.error.properties,
    },
    source: {
      type: 'object',
      required: ['site', 'id', 'url'],
      properties: {
        site: nullable('string'),
        id: nullable('string', { description: 'For YouTube the 11-character video id.' }),
        url: { type: 'string', description: 'The canonical URL, or the uploaded file name.' },
      },
    },
    options: {
      type: 'object',
      required: ['format', 'quality', 'start', 'end', 'split_chapters', 'normalize'],
      properties: {
        format: { type: 'string', enum: AUDIO_FORMATS },
        quality: nullable('string'),
        start: nullable('number'),
        end: nullable('number'),
        split_chapters: { type: 'boolean' },
        normalize: { type: 'boolean' },
      },
    },
    files: { type: 'array', items: { $ref: 'JobFile#' } },
    entries: {
      type: 'array',
      description: 'Playlists only: one row per entry, with its own status and progress.',
      items: {
        type: 'object',
        required: ['title', 'status', 'progress', 'error'],
        properties: {
          title: nullable('string'),
          status: { type: 'string', enum: ['queued', 'running', 'done', 'failed'] },
          progress: nullable('number'),
          error: {
            type: ['object', 'null'],
            required: ['code', 'message'],
            properties: apiError.properties.error.properties,
          },
        },
      },
    },
    created_at: { type: 'string', format: 'date-time' },
    expires_at: nullable('string', { format: 'date-time' }),
    expired: { type: 'boolean', description: 'The files were deleted after the retention time.' },
  },
} as const;

export const SHARED_SCHEMAS = [apiError, jobFile, jobView];

/** The options of a new job, shared by the JSON body and the multipart form. */
const jobFields = {
  format: { type: 'string', enum: AUDIO_FORMATS, description: 'Default mp3.' },
  quality: nullable('string', { maxLength: 16, description: 'Bitrate such as `192k`, or `V0`…`V9` for MP3.' }),
  start: { type: ['number', 'string', 'null'], maxLength: 32, description: 'Seconds, or `h:mm:ss`.' },
  end: { type: ['number', 'string', 'null'], maxLength: 32, description: 'Seconds, or `h:mm:ss`.' },
  split_chapters: nullable('boolean'),
  normalize: nullable('boolean', { description: 'Loudness to -14 LUFS (EBU R128).' }),
  email: nullable('string', { format: 'email', maxLength: 254, description: 'Where to send the link.' }),
} as const;

const jobRequestSchema = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  // An empty url is left to the service, which says what to send instead.
  properties: { url: { type: 'string', maxLength: 2048 }, ...jobFields },
} as const;

/** The form fields once read (all text); checked against the same rules as the JSON body. */
export const jobFormSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { url: jobRequestSchema.properties.url, ...jobFields },
} as const;

/**
 * The multipart body. The handler reads the form as a stream, so Fastify validates only an empty
 * placeholder against this (see routes/jobs.ts); it exists for the OpenAPI document.
 */
const uploadDocSchema = {
  type: 'object',
  description: 'A media file as `file`, with the same optional fields as the JSON body.',
  properties: { file: { type: 'string', format: 'binary' }, ...jobFields },
} as const;

export const jobRequestBody = {
  content: {
    'application/json': { schema: jobRequestSchema },
    'multipart/form-data': { schema: uploadDocSchema },
  },
} as const;

export const jobParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' } },
} as const;

export const errorResponse = (description: string) => ({ description, $ref: 'ApiError#' });
export const jobResponse = (description: string) => ({ description, $ref: 'JobView#' });
