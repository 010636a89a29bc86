/**
 * Downloads: one produced file (with ranges, for resuming and seeking in a player), all of a
 * job's files as a ZIP, or its cover. Files are found by name in the job's list, the cover by its
 * version, never by building a path from the URL.
 */
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConvertError } from '../../errors.ts';
import { type ArchiveEntry, archiveEntries } from '../../jobs/archive.ts';
import type { Downloads, JobsApi, StoredFile } from '../../jobs/types.ts';
import type { AudioFormat } from '../../pipeline/types.ts';
import { attachment } from '../content-disposition.ts';
import { errorResponses } from '../error-responses.ts';
import { jobNotFound } from '../errors.ts';
import { ifRangeHolds, notModified, parseRange, type Validators, validatorsOf } from '../range.ts';
import { jobIdsQuery, jobParams } from '../schemas.ts';
import { zipEntries } from '../zip.ts';

const MEDIA_TYPES: Record<AudioFormat, string> = {
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  opus: 'audio/ogg; codecs=opus',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  wav: 'audio/wav',
};

const fileParams = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id: { type: 'string' }, name: { type: 'string', description: 'As in the job’s `files[].name`.' } },
} as const;

const binary = (mediaType: string, description: string) => ({
  description,
  content: { [mediaType]: { schema: { type: 'string', format: 'binary' } } },
});

const coverParams = {
  type: 'object',
  required: ['id', 'version'],
  properties: {
    id: { type: 'string' },
    version: { type: 'string', description: 'As in the job’s `cover` URL; it changes whenever the cover does.' },
  },
} as const;

/** One cover URL names one image for good (its version changes with the image). */
const IMMUTABLE = 'private, max-age=31536000, immutable';

type FileRequest = FastifyRequest<{ Params: { id: string; name: string } }>;

export async function fileRoutes(app: FastifyInstance, opts: { jobs: JobsApi }): Promise<void> {
  const { jobs } = opts;

  // GET and HEAD apart, so that each is an operation of its own (with its own operationId) in the document.
  for (const method of ['GET', 'HEAD'] as const) {
    app.route<{ Params: { id: string; name: string } }>({
      method,
      url: '/api/jobs/:id/files/:name',
      schema: {
        operationId: 'downloadFile',
        summary: method === 'GET' ? 'Download one file' : 'One file’s headers, without its bytes',
        description: 'Supports single byte ranges (`Range`, `If-Range`) and `If-None-Match`.',
        tags: ['files'],
        params: fileParams,
        response: {
          200: binary('audio/*', 'The file.'),
          206: binary('audio/*', 'The requested range.'),
          416: { description: 'The range lies beyond the end of the file.', type: 'null' },
          ...errorResponses('not_found', 'expired'),
        },
      },
      handler: async (request, reply) => {
        const { files } = await downloadable(jobs, request.params.id);
        const file = files.find((f) => f.name === request.params.name);
        if (!file) throw new ConvertError('not_found', 'This job has no file of that name.');
        return sendFile(request, reply, file, await statOrExpired(file.path));
      },
    });
  }

  for (const method of ['GET', 'HEAD'] as const) {
    app.route<{ Params: { id: string; version: string } }>({
      method,
      url: '/api/jobs/:id/cover/:version',
      schema: {
        operationId: 'getCover',
        summary: method === 'GET' ? 'The job’s cover' : 'The cover’s headers, without its bytes',
        description:
          'The square JPEG made from the source’s thumbnail (the cover in the files’ tags), served by ytconv so that a browser showing it never contacts the video site. There is one while the job is queued or running and, once it ended, as long as it has files to download (a cancelled or failed playlist’s finished entries too); `not_found` otherwise or for a replaced version. Cacheable for good; `If-None-Match` is supported.',
        tags: ['files'],
        params: coverParams,
        response: {
          200: binary('image/jpeg', 'The cover.'),
          ...errorResponses('not_found', 'expired'),
        },
      },
      handler: async (request, reply) => {
        const { cover } = await downloadable(jobs, request.params.id);
        const info = cover?.version === request.params.version ? await stat(cover.path).catch(() => null) : null;
        if (!cover || !info) throw new ConvertError('not_found', 'This job has no such cover.');
        reply.header('cache-control', IMMUTABLE);
        if (notModified(request.headers['if-none-match'], setValidators(reply, info))) return reply.code(304).send();
        reply.type('image/jpeg').header('content-length', String(info.size));
        if (request.method === 'HEAD') return reply.send();
        return reply.send(createReadStream(cover.path));
      },
    });
  }

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id/zip',
    {
      schema: {
        operationId: 'downloadZip',
        summary: 'Download all files as a ZIP',
        description:
          'Named after the job’s title; for playlists and chapter splits. A playlist’s files are in a folder named ' +
          'after it (`Album/NN - Title.ext`), with `Album/Album.m3u8` listing them.',
        tags: ['files'],
        params: jobParams,
        response: {
          200: binary('application/zip', 'The files, stored uncompressed.'),
          ...errorResponses('not_found', 'expired'),
        },
      },
    },
    async (request, reply) => {
      const found = await downloadable(jobs, request.params.id);
      if (found.files.length === 0) throw new ConvertError('not_found', 'This job has no files to download yet.');
      return sendZip(reply, archiveEntries([found]), `${found.job.title ?? 'ytconv'}.zip`);
    },
  );

  app.get<{ Querystring: { ids: string } }>(
    '/api/jobs/zip',
    {
      schema: {
        operationId: 'downloadZipOfJobs',
        summary: 'Download the files of several jobs as one ZIP',
        description:
          'For links submitted together (`createJobs`). Each playlist in a folder of its own with its M3U8, ' +
          'like a job’s ZIP; other files at the top. Unknown and expired jobs, and jobs without files yet, ' +
          'are left out.',
        tags: ['files'],
        querystring: jobIdsQuery,
        response: {
          200: binary('application/zip', 'The files, stored uncompressed.'),
          ...errorResponses('invalid_option', 'not_found'),
        },
      },
    },
    async (request, reply) => {
      const found = await jobs.downloadsOfMany(request.query.ids.split(',').filter((id) => id !== ''));
      const entries = archiveEntries(found.filter((d) => !d.job.expired));
      if (entries.length === 0) throw new ConvertError('not_found', 'None of these jobs has files to download yet.');
      return sendZip(reply, entries, 'ytconv.zip');
    },
  );
}

async function sendZip(reply: FastifyReply, entries: readonly ArchiveEntry[], name: string) {
  const zip = await zipEntries(entries).catch(expiredIfMissing);
  if (zip.size !== null) reply.header('content-length', String(zip.size));
  return reply.type('application/zip').header('content-disposition', attachment(name)).send(zip.stream);
}

/** The job, its files and cover, if they may still exist. */
async function downloadable(jobs: JobsApi, id: string): Promise<Downloads> {
  const found = (await jobs.downloads(id)) ?? jobNotFound();
  if (found.job.expired) throw expired();
  return found;
}

function expired(): ConvertError {
  return new ConvertError('expired', 'These files were deleted after the retention time. Convert the link again.');
}

/** A file that vanished after the job said it existed was removed by the expiry job. */
function expiredIfMissing(err: unknown): never {
  throw (err as NodeJS.ErrnoException).code === 'ENOENT' ? expired() : err;
}

function statOrExpired(path: string): Promise<Stats> {
  return stat(path).catch(expiredIfMissing);
}

function setValidators(reply: FastifyReply, info: Stats): Validators {
  const validators = validatorsOf(info);
  reply.header('etag', validators.etag).header('last-modified', validators.lastModified.toUTCString());
  return validators;
}

async function sendFile(request: FileRequest, reply: FastifyReply, file: StoredFile, info: Stats) {
  const validators = setValidators(reply, info);
  if (notModified(request.headers['if-none-match'], validators)) return reply.code(304).send();
  const ifRange = request.headers['if-range'];
  const useRange = ifRangeHolds(typeof ifRange === 'string' ? ifRange : undefined, validators);
  const range = useRange ? parseRange(request.headers.range, info.size) : null;
  if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${info.size}`).send();
  const { start, end } = range ?? { start: 0, end: info.size - 1 };
  if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${info.size}`);
  reply
    .type(MEDIA_TYPES[file.format])
    .header('accept-ranges', 'bytes')
    .header('content-length', String(end - start + 1))
    .header('content-disposition', attachment(file.name));
  if (request.method === 'HEAD' || info.size === 0) return reply.send();
  return reply.send(createReadStream(file.path, { start, end }));
}
