/**
 * `GET /api/inspect`: a quick look at a link before converting it, so that the page can list a
 * playlist's entries to choose from. Each look runs yt-dlp (see jobs/link-preview.ts for its
 * bounds), so each client gets its own limit on them, apart from its limit on new jobs.
 */
import type { FastifyInstance } from 'fastify';
import type { Rate } from '../../config.ts';
import type { JobsApi, LinkQuery } from '../../jobs/types.ts';
import { errorResponses } from '../error-responses.ts';
import { addressLimit } from '../rate-limit.ts';
import { linkPreviewResponse, linkQuery } from '../schemas.ts';

export interface InspectRoutesOptions {
  jobs: JobsApi;
  /** Looks one client may ask for per window; absent or null for no limit. */
  inspectRate?: Rate | null;
}

export async function inspectRoutes(app: FastifyInstance, opts: InspectRoutesOptions): Promise<void> {
  const limit = addressLimit(opts.inspectRate ?? null, 'looks at links from your address');
  app.get<{ Querystring: LinkQuery }>(
    '/api/inspect',
    {
      schema: {
        operationId: 'inspectLink',
        summary: 'What a link is, before converting it',
        description:
          'A quick extract: a single media’s title and length, or a playlist’s entries (listed flat, as far as ' +
          'this server’s playlist limit) with their positions, titles and lengths, to choose a job’s `items` ' +
          'from. The link is checked as a new job’s is, and refused with the same codes; nothing is made.',
        tags: ['jobs'],
        querystring: linkQuery,
        response: {
          200: linkPreviewResponse,
          ...errorResponses(
            'invalid_url',
            'invalid_option',
            'unsupported_site',
            'forbidden_address',
            'unavailable',
            'sign_in_required',
            'rate_limited',
            'extractor_broken',
            'too_large',
            'network',
            'too_many_requests',
          ),
        },
      },
      ...(limit && { config: { rateLimit: limit } }),
    },
    async (request, reply) => {
      // A person who typed another link, or left, no longer waits for this one's yt-dlp.
      const gone = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableEnded) gone.abort();
      });
      return opts.jobs.inspect(request.query, gone.signal);
    },
  );
}
