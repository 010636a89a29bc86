/**
 * `GET /api/options`: what a client may ask for and what this server accepts, so that the page
 * builds its form (formats, qualities, defaults, limits) and explains errors from the server's
 * own definitions instead of copies of them.
 */
import type { FastifyInstance } from 'fastify';
import { ERROR_HINTS } from '../../error-hints.ts';
import {
  type Catalog,
  catalogSchema,
  DEFAULT_FORMAT,
  flagCatalog,
  formatCatalog,
  jsonSchemaOf,
  sponsorBlockCatalog,
} from '../../options.ts';
import { ORIGINAL_QUALITY } from '../../pipeline/options.ts';
import { formatBytes } from '../../units.ts';
import { type AccessDeps, describeAccess } from '../access.ts';
import { errorResponses } from '../error-responses.ts';

export interface OptionRoutesOptions {
  maxUploadBytes: number;
  /** Who may use this server; absent: everyone. */
  access?: AccessDeps;
  /** The media limits of the workers' engine; absent when this web process does not know them. */
  mediaLimits?: { maxDurationSec: number | null; maxPlaylistEntries: number | null };
}

export async function optionRoutes(app: FastifyInstance, opts: OptionRoutesOptions): Promise<void> {
  // The same for every request while this process runs.
  const catalog: Omit<Catalog, 'access'> = {
    formats: formatCatalog(),
    flags: flagCatalog(),
    default_format: DEFAULT_FORMAT,
    default_quality: ORIGINAL_QUALITY,
    limits: {
      max_upload_bytes: opts.maxUploadBytes,
      max_upload_text: formatBytes(opts.maxUploadBytes),
      max_duration_seconds: opts.mediaLimits?.maxDurationSec ?? null,
      max_playlist_entries: opts.mediaLimits?.maxPlaylistEntries ?? null,
    },
    sponsorblock: sponsorBlockCatalog(),
    error_hints: ERROR_HINTS,
  };
  app.get(
    '/api/options',
    {
      schema: {
        summary: 'Formats, qualities, defaults and limits of this server',
        operationId: 'getOptions',
        tags: ['jobs'],
        response: {
          200: { description: 'What a job may ask for.', ...jsonSchemaOf(catalogSchema) },
          ...errorResponses(),
        },
      },
    },
    async (request, reply) => {
      const access = await describeAccess(opts.access, request);
      // Who is signed in belongs to one browser, and changes with a sign-in.
      const caching = access.mode === 'open' ? 'public, max-age=300' : 'private, no-store';
      return reply.header('cache-control', caching).send({ ...catalog, access });
    },
  );
}
