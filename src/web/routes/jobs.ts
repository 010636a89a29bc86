/** Creating, reading and cancelling jobs: each route is one JobsApi call. */
import { rm } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Rate } from '../../config.ts';
import { ConvertError } from '../../errors.ts';
import type { JobsApi, JobView, NewBatch, NewJob } from '../../jobs/types.ts';
import { FLAG_NAMES } from '../../options.ts';
import { apiKeyOf } from '../access.ts';
import { errorResponses } from '../error-responses.ts';
import { invalidOption, jobNotFound, type SchemaError } from '../errors.ts';
import { submissionLimit } from '../rate-limit.ts';
import {
  jobBatchBody,
  jobBatchResponse,
  jobFormSchema,
  jobIdsQuery,
  jobListResponse,
  jobParams,
  jobRequestBody,
  jobResponse,
} from '../schemas.ts';
import { readUploadForm, type UploadLimits } from '../upload.ts';

export interface JobRoutesOptions {
  jobs: JobsApi;
  maxUploadBytes: number;
  uploadDir: string;
  submitRate?: Rate | null;
}

type JobRequest = Omit<NewJob, 'upload'>;
type ById = { Params: { id: string } };

export async function jobRoutes(app: FastifyInstance, opts: JobRoutesOptions): Promise<void> {
  const { jobs } = opts;
  const limits: UploadLimits = { dir: opts.uploadDir, maxBytes: opts.maxUploadBytes };
  const limit = submissionLimit(app, opts.submitRate ?? null, apiKeyOf);
  /** What `create` runs once the request passed its checks: the client's limit counts a new job. */
  const admitFor = (request: FastifyRequest, reply: FastifyReply) => async () => limit.take(request, reply);

  app.post<{ Body: JobRequest | undefined }>(
    '/api/jobs',
    {
      schema: {
        operationId: 'createJob',
        summary: 'Start a conversion',
        description:
          'From a link (JSON) or an uploaded media file (multipart). Answers at once; follow the job. ' +
          'A refused request creates no job.',
        tags: ['jobs'],
        body: jobRequestBody,
        response: {
          202: jobResponse('The job, queued (or already done when the same request was converted before).'),
          ...errorResponses(
            'invalid_url',
            'invalid_option',
            'unsupported_site',
            'forbidden_address',
            'file_too_large',
            'request_too_large',
            'unsupported_media_type',
            'too_many_requests',
            'queue_unavailable',
            'busy',
          ),
        },
      },
      // The handler reads a form as a stream, so there is no parsed body; its schema is for the docs.
      // A client already at its limit is refused before its upload is read.
      preValidation: async (request, reply) => {
        if (request.isMultipart()) request.body = {};
        await limit.check(request, reply);
      },
    },
    async (request, reply) => {
      const admit = admitFor(request, reply);
      const view = request.isMultipart()
        ? await createFromForm(request, jobs, limits, admit)
        : await createFromJson(request.body, jobs, admit);
      return reply
        .code(202)
        .header('location', `/api/jobs/${encodeURIComponent(view.id)}`)
        .send(view);
    },
  );

  app.post<{ Body: NewBatch }>(
    '/api/jobs/batch',
    {
      schema: {
        operationId: 'createJobs',
        summary: 'Start a conversion for each of several links',
        description:
          'One job per link, with the same options: each link checked like a single request. Links refused ' +
          '(with their code and message) do not stop the others; when none is accepted, the first refusal is ' +
          'the answer. Options, email and the number of links are checked first, for all.',
        tags: ['jobs'],
        body: jobBatchBody,
        response: {
          202: jobBatchResponse,
          ...errorResponses(
            'invalid_url',
            'invalid_option',
            'unsupported_site',
            'forbidden_address',
            'request_too_large',
            'unsupported_media_type',
            'too_many_requests',
            'queue_unavailable',
            'busy',
          ),
        },
      },
      preValidation: async (request, reply) => limit?.check(request, reply),
    },
    async (request, reply) => {
      const result = await jobs.createMany(withoutEmpty(request.body), admitFor(request, reply));
      const first = result.refused[0];
      if (result.jobs.length === 0 && first) {
        throw new ConvertError(first.error.code, first.error.message, { field: first.error.field });
      }
      return reply.code(202).send(result);
    },
  );

  app.get<{ Querystring: { ids: string } }>(
    '/api/jobs',
    {
      schema: {
        operationId: 'listJobs',
        summary: 'Several jobs at once, by id',
        description:
          'For a page refreshing the jobs it remembers in one request. Job ids are the only way to a job, ' +
          'so there is no listing without them.',
        tags: ['jobs'],
        querystring: jobIdsQuery,
        response: { 200: jobListResponse, ...errorResponses('invalid_option') },
      },
    },
    async (request) => ({ jobs: await jobs.list(request.query.ids.split(',').filter((id) => id !== '')) }),
  );

  app.get<ById>(
    '/api/jobs/:id',
    {
      schema: {
        operationId: 'getJob',
        summary: 'A job: status, progress, metadata and files',
        tags: ['jobs'],
        params: jobParams,
        response: { 200: jobResponse('The job.'), ...errorResponses('not_found') },
      },
    },
    async (request) => (await jobs.get(request.params.id)) ?? jobNotFound(),
  );

  app.delete<ById>(
    '/api/jobs/:id',
    {
      schema: {
        operationId: 'cancelJob',
        summary: 'Cancel a job',
        description: 'Stops a queued or running job; a finished job is returned unchanged.',
        tags: ['jobs'],
        params: jobParams,
        response: { 200: jobResponse('The job after cancelling.'), ...errorResponses('not_found') },
      },
    },
    async (request) => (await jobs.cancel(request.params.id)) ?? jobNotFound(),
  );
}

type Admit = () => Promise<void>;

async function createFromJson(body: JobRequest | undefined, jobs: JobsApi, admit: Admit): Promise<JobView> {
  // No content type at all means no parser ran, so the schema did not either.
  if (body === undefined) {
    throw new ConvertError('invalid_option', 'Send a JSON body with a "url", or a multipart form with a "file".');
  }
  return jobs.create(withoutEmpty(body), admit);
}

/** A multipart request: the upload is handed to `create`, or removed if the job is refused. */
async function createFromForm(
  request: FastifyRequest,
  jobs: JobsApi,
  limits: UploadLimits,
  admit: Admit,
): Promise<JobView> {
  const form = await readUploadForm(request, limits);
  try {
    const fields = withoutEmpty(formFields(form.fields) as JobRequest);
    const validate = request.compileValidationSchema(jobFormSchema);
    if (!validate(fields)) throw invalidOption(validate.errors as SchemaError[] | null | undefined, 'form');
    if (form.upload && fields.url !== undefined) {
      throw new ConvertError('invalid_option', 'Send either a link or a file, not both.');
    }
    return await jobs.create({ ...fields, ...(form.upload && { upload: form.upload }) }, admit);
  } catch (err) {
    if (form.upload) await rm(form.upload.path, { force: true });
    throw err;
  }
}

/** A checked HTML checkbox sends "on"; scripts send "true" or "false". Anything else stays text and is refused. */
const FLAG_VALUES: ReadonlyMap<string, boolean> = new Map([
  ['on', true],
  ['true', true],
  ['false', false],
]);

/** Form values are all text: the flags become booleans here, the rest stays text for the schema. */
function formFields(fields: Record<string, string>): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = { ...fields };
  for (const flag of FLAG_NAMES) {
    const value = Object.hasOwn(fields, flag) ? FLAG_VALUES.get(fields[flag] ?? '') : undefined;
    if (value !== undefined) out[flag] = value;
  }
  return out;
}

/** Forms and clients send "" or null for "not set"; the service wants such fields absent. */
function withoutEmpty<T extends object>(request: T): T {
  return Object.fromEntries(Object.entries(request).filter(([, value]) => value !== null && value !== '')) as T;
}
