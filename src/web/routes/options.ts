/**
 * `GET /api/options`: what a client may ask for and what this server accepts, so that the page
 * builds its form (formats, qualities, defaults, limits) and explains errors from the server's
 * own definitions instead of copies of them.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ERROR_HINTS } from '../../error-hints.ts';
import { ERROR_CODES } from '../../errors.ts';
import { DEFAULT_FORMAT, formatCatalog, formatChoiceSchema, jsonSchemaOf } from '../../options.ts';
import { ORIGINAL_QUALITY } from '../../pipeline/options.ts';
import { AUDIO_FORMATS } from '../../pipeline/types.ts';
import { errorResponses } from '../error-responses.ts';

export interface OptionRoutesOptions {
  maxUploadBytes: number;
  /** The media limits of the workers' engine; absent when this web process does not know them. */
  mediaLimits?: { maxDurationSec: number | null; maxPlaylistEntries: number | null };
}

const catalogSchema = z.object({
  formats: z.array(formatChoiceSchema),
  default_format: z.enum(AUDIO_FORMATS),
  default_quality: z.string(),
  limits: z.object({
    max_upload_bytes: z.number().int(),
    max_duration_seconds: z.number().nullable().describe('Longest media accepted; null for no limit.'),
    max_playlist_entries: z.number().int().nullable(),
  }),
  error_hints: z
    .record(z.enum(Object.keys(ERROR_CODES) as [keyof typeof ERROR_CODES]), z.string())
    .describe('A sentence per error code saying what happened and what to do.'),
});

export async function optionRoutes(app: FastifyInstance, opts: OptionRoutesOptions): Promise<void> {
  // The same for every request while this process runs.
  const catalog: z.infer<typeof catalogSchema> = {
    formats: formatCatalog(),
    default_format: DEFAULT_FORMAT,
    default_quality: ORIGINAL_QUALITY,
    limits: {
      max_upload_bytes: opts.maxUploadBytes,
      max_duration_seconds: opts.mediaLimits?.maxDurationSec ?? null,
      max_playlist_entries: opts.mediaLimits?.maxPlaylistEntries ?? null,
    },
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
    async (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(catalog),
  );
}
