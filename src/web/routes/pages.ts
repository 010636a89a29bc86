/**
 * The page (one HTML file; the job page is the same page reading its id from the address) and
 * its assets. Asset names carry no content hash, so browsers revalidate them on every use (a
 * cheap 304 by ETag) instead of keeping a stale script for hours after an upgrade. Their
 * Content-Security-Policy is the app's default (security.ts).
 */
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

const PUBLIC_DIR = fileURLToPath(new URL('../public/', import.meta.url));

export async function pageRoutes(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/assets/',
    index: false,
    cacheControl: false,
    schemaHide: true,
    setHeaders: (reply) => {
      reply.header('cache-control', 'no-cache');
    },
  });

  const page = (_request: unknown, reply: FastifyReply) =>
    reply.header('cache-control', 'no-cache').sendFile('index.html');
  const hidden = { schema: { hide: true } };
  app.route({ method: ['GET', 'HEAD'], url: '/', ...hidden, handler: page });
  app.route({ method: ['GET', 'HEAD'], url: '/jobs/:id', ...hidden, handler: page });
}
