/**
 * The page (one HTML file; the job page is the same page reading its id from the address) and
 * its assets. Asset names carry no content hash, so browsers revalidate them on every use (a
 * cheap 304 by ETag) instead of keeping a stale script for hours after an upgrade. Their
 * Content-Security-Policy is the app's default (security.ts). The HTML is made once, with its
 * module preloads (page-html.ts).
 */
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageHtml } from '../page-html.ts';

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

  const { html, etag } = await pageHtml(PUBLIC_DIR);
  const page = (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-cache').header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('text/html; charset=utf-8').send(html);
  };
  const hidden = { schema: { hide: true } };
  app.route({ method: ['GET', 'HEAD'], url: '/', ...hidden, handler: page });
  app.route({ method: ['GET', 'HEAD'], url: '/jobs/:id', ...hidden, handler: page });
  app.route({ method: ['GET', 'HEAD'], url: '/jobs', ...hidden, handler: page });
}
