/**
 * JSON schemas of the API. Fastify validates requests and serialises responses with them, and
 * @fastify/swagger turns them into the OpenAPI document, so the docs cannot drift from the code.
 * Shared shapes are registered once with an `$id` and become `components.schemas`.
 */
import { ERROR_CODES } from '../errors.ts';
import { HEALTH_CHECKS } from '../jobs/health.ts';
import { ENTRY_STATUSES, JOB_STATUSES, linkPreviewSchema, MAX_LISTED_JOBS, PARK_CAUSES } from '../jobs/types.ts';
import {
  jobOptionsSchema,
  jsonSchemaOf,
  type OptionFields,
  optionFieldsSchema,
  sponsorBlockOutcomeSchema,
} from '../options.ts';
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
        field: { type: 'string', description: 'The request field at fault, when one is (`start`, `quality`…).' },
      },
    },
  },
} as const;

const jobFile = {
  $id: 'JobFile',
  type: 'object',
  required: ['name', 'size', 'duration', 'format', 'bitrate', 'url', 'truncated', 'unsplit', 'sponsorblock'],
  properties: {
    name: { type: 'string' },
    size: { type: 'integer', description: 'Bytes.' },
    duration: { type: 'number', description: 'Seconds.' },
    format: { type: 'string', enum: AUDIO_FORMATS },
    bitrate: { type: 'integer', description: 'Bits per second.' },
    url: { type: 'string', description: 'Download URL, relative to the site.' },
    truncated: {
      type: ['object', 'null'],
      description:
        'Null, or the source ended early (a cut-off upload): the file holds its audio up to `at` of the `of` ' +
        'seconds the source declared.',
      required: ['at', 'of'],
      properties: { at: { type: 'number' }, of: { type: 'number' } },
    },
    unsplit: {
      type: 'boolean',
      description:
        'A split by chapters was asked, but the media had no chapters (within the trim): the file is the whole.',
    },
    sponsorblock: {
      description: 'Null when SponsorBlock was not asked for; else what it removed or marked, or why it could not.',
      anyOf: [{ type: 'null' }, jsonSchemaOf(sponsorBlockOutcomeSchema)],
    },
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
    'waiting',
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
    phase: nullable('string', {
      description:
        'The phase now running: probing, downloading, converting or tagging (for a playlist, of the entry now ' +
        'running); `resuming` while a worker that took over an interrupted job redoes what was done (progress ' +
        'is held meanwhile); null unless queued or running.',
    }),
    progress: nullable('number', {
      description:
        'Fraction of the whole job done, 0 to 1 (a playlist: of all its entries), with each phase weighted by its ' +
        'expected share of the time; it never decreases while the job runs, and is 1 when done.',
    }),
    eta: nullable('number', {
      description:
        'Seconds left for the whole job, from its overall pace; null until that can be told, and unless queued or running.',
    }),
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
    waiting: {
      type: ['object', 'null'],
      description:
        'Null, or why this queued job waits for its video site rather than for a worker: the site limits this ' +
        'server for now (`rate_limited`), showed it its bot check (`bot_wall`), or changed so that yt-dlp must ' +
        'be updated (`extractor_broken`). It starts again by itself, once; `until` is when that is expected ' +
        '(null: when yt-dlp is updated). Such a job has not failed.',
      required: ['cause', 'message', 'until'],
      properties: {
        cause: { type: 'string', enum: PARK_CAUSES },
        message: { type: 'string' },
        until: nullable('string', { format: 'date-time' }),
      },
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
    options: jsonSchemaOf(jobOptionsSchema),
    files: { type: 'array', items: { $ref: 'JobFile#' } },
    entries: {
      type: 'array',
      description:
        'Playlists only: one row per entry, in playlist order, with its own status and files. The files of ' +
        'entries already done are listed (and downloadable) while the playlist runs, and stay when it is ' +
        'cancelled or fails.',
      items: {
        type: 'object',
        required: ['title', 'position', 'status', 'progress', 'error', 'files'],
        properties: {
          title: nullable('string', { description: 'From the playlist listing, known before the entry starts.' }),
          position: {
            type: 'integer',
            description: '1-based place in the playlist (with `items`, only the chosen entries are listed).',
          },
          status: {
            type: 'string',
            enum: ENTRY_STATUSES,
            description:
              '`failed`: this entry could not be converted (see `error`), the others went on; `cancelled`: it ' +
              'was under way when the playlist was cancelled; `skipped`: the playlist stopped (cancelled, or ' +
              'failed as a whole) before this entry began, or was done.',
          },
          progress: nullable('number', {
            description: 'Fraction of this entry done while it runs (0 to 1, never decreasing); 1 when done.',
          }),
          error: {
            type: ['object', 'null'],
            required: ['code', 'message'],
            properties: apiError.properties.error.properties,
          },
          files: { type: 'array', items: { $ref: 'JobFile#' } },
        },
      },
    },
    created_at: { type: 'string', format: 'date-time' },
    expires_at: nullable('string', { format: 'date-time' }),
    expired: { type: 'boolean', description: 'The files were deleted after the retention time.' },
  },
} as const;

const healthPart = { type: 'string', enum: ['ok', 'down'] } as const;

const health = {
  $id: 'Health',
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { ...healthPart, description: '`ok` when every check is.' },
    checks: {
      type: 'object',
      required: [...HEALTH_CHECKS],
      properties: Object.fromEntries(HEALTH_CHECKS.map((name) => [name, healthPart])),
    },
  },
} as const;

export const SHARED_SCHEMAS = [apiError, jobFile, jobView, health];

/** The options of a new job (src/options.ts), shared by the JSON body and the multipart form. */
const jobFields = {
  ...(jsonSchemaOf(optionFieldsSchema).properties as Record<keyof OptionFields, unknown>),
  email: nullable('string', { format: 'email', maxLength: 254, description: 'Where to send the link.' }),
  webhook_url: nullable('string', {
    maxLength: 2048,
    description:
      'An http(s) URL called with a signed JSON body when the job ends done or failed (see Webhooks in the README); ' +
      'not a private or local address.',
  }),
};

const jobRequestSchema = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  // An empty url is left to the service, which says what to send instead.
  properties: { url: { type: 'string', maxLength: 2048 }, ...jobFields },
} as const;

/** Several links with shared options: `urls`, or `text` with links in it (one per line, or inside prose). */
export const jobBatchBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    urls: {
      type: 'array',
      items: { type: 'string', maxLength: 2048 },
      maxItems: MAX_LISTED_JOBS,
      description: `The links, at most ${MAX_LISTED_JOBS}; repeated ones (in any spelling) count once.`,
    },
    text: {
      type: 'string',
      maxLength: 16_000,
      description: 'Instead of `urls`: pasted text, one link per line or links inside sentences.',
    },
    ...jobFields,
  },
} as const;

export const jobBatchResponse = {
  description:
    'The jobs made, in the order of their links, and the links refused with why (the others still went ahead).',
  type: 'object',
  required: ['jobs', 'refused'],
  properties: {
    jobs: { type: 'array', items: { $ref: 'JobView#' } },
    refused: {
      type: 'array',
      items: {
        type: 'object',
        required: ['url', 'error'],
        properties: { url: { type: 'string' }, error: apiError.properties.error },
      },
    },
  },
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

export const jobResponse = (description: string) => ({ description, $ref: 'JobView#' });

/** A person's recent jobs by id, as `GET /api/jobs?ids=a,b,c`. */
export const jobIdsQuery = {
  type: 'object',
  required: ['ids'],
  additionalProperties: false,
  properties: {
    ids: {
      type: 'string',
      // Room for MAX_LISTED_JOBS ids of 22 characters and their commas, and some slack for ids from elsewhere.
      maxLength: 4096,
      description: `Job ids separated by commas, at most ${MAX_LISTED_JOBS}.`,
      examples: ['Qe1xJ3nH0bOZf2m9kD8p4w,Zr7aL0cV5tYq1uN3sB6e2g'],
    },
  },
} as const;

export const jobListResponse = {
  description: 'The jobs found, in the order asked; unknown ids are left out.',
  type: 'object',
  required: ['jobs'],
  properties: { jobs: { type: 'array', items: { $ref: 'JobView#' } } },
} as const;

/** A link to look at before converting it, as `GET /api/inspect?url=…&items=…`. */
export const linkQuery = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: { type: 'string', maxLength: 2048, description: 'One link, as a job takes it.' },
    // As a job takes it; the entries it picks are the `chosen` ones.
    items: jobFields.items,
  },
} as const;

export const linkPreviewResponse = {
  description:
    'A single media (its title and length) or a playlist (its title, and each entry by position, with its title ' +
    'and length where the site lists them).',
  ...jsonSchemaOf(linkPreviewSchema),
};
