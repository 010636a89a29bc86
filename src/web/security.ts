/**
 * Security headers on every answer (helmet): HSTS, nosniff, no referrer, no framing, the
 * cross-origin policies, and the pages' Content-Security-Policy as the default. The admin pages
 * and the queue dashboard replace the CSP with their own (admin/html.ts, admin/queues.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

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

const OPTIONS: HelmetOptions = {
  // Exactly these directives: helmet's defaults would loosen style-src and add others.
  contentSecurityPolicy: { useDefaults: false, directives: PAGE_CSP },
  frameguard: { action: 'deny' },
};

/**
 * Helmet's headers are the same on every answer (no nonces), so they are worked out once here;
 * building helmet's middleware on each request, as @fastify/helmet does, cost a tenth of a
 * submission's time in a burst.
 */
function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: () => {},
  };
  helmet(OPTIONS)({} as IncomingMessage, recorder as unknown as ServerResponse, () => {});
  return headers;
}

export function registerSecurityHeaders(app: FastifyInstance): void {
  const headers = securityHeaders();
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
