/**
 * Security headers on every answer (@fastify/helmet): HSTS, nosniff, no referrer, no framing, the
 * cross-origin policies, and the pages' Content-Security-Policy as the default. The admin pages
 * and the queue dashboard replace the CSP with their own (admin/html.ts, admin/queues.ts).
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The page is our own script, styles and images only (covers too are served by the app), so a
 * viewer's browser contacts nobody else. Forms post only back to us; no one may frame us.
 */
const PAGE_CSP = {
  defaultSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  styleSrc: ["'self'"],
  scriptSrc: ["'self'"],
  connectSrc: ["'self'"],
  // The form reads a chosen file's length through a blob: URL, to tell the size to expect.
  mediaSrc: ["'self'", 'blob:'],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    // Exactly these directives: helmet's defaults would loosen style-src and add others.
    contentSecurityPolicy: { useDefaults: false, directives: PAGE_CSP },
    frameguard: { action: 'deny' },
  });
}
