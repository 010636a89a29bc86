/**
 * BullMQ's dashboard (bull-board) at /admin/queues, behind the same sign-in. Its page is a bundle
 * of scripts and injected styles, so its routes, and only those, get a looser CSP than ours. Its
 * API calls cannot carry our form token: SameSite=Strict keeps the cookie off other sites'
 * requests, and a write that a browser marks as cross-site is refused besides.
 *
 * Its page has no place for links of ours (its "misc links" hide in a menu), so a link back to
 * the jobs is written into its HTML, outside the element its script renders into.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AuthDeps, requireSession } from './auth.ts';

export interface QueueDashboardDeps extends AuthDeps {
  queues: readonly Queue[];
}

const BASE_PATH = '/admin/queues';

/** 'unsafe-inline' styles for its style injection; no other site: its Google Fonts link stays unloaded. */
const DASHBOARD_CSP = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export async function queueDashboard(app: FastifyInstance, deps: QueueDashboardDeps): Promise<void> {
  const board = new FastifyAdapter();
  board.setBasePath(BASE_PATH);
  createBullBoard({
    queues: deps.queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'ytconv queues' } },
  });
  app.addHook('onRequest', requireSession(deps));
  app.addHook('onRequest', refuseCrossSiteWrites);
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', DASHBOARD_CSP).header('cache-control', 'no-store');
    const html = typeof payload === 'string' && String(reply.getHeader('content-type')).startsWith('text/html');
    return html ? withBackLink(payload) : payload;
  });
  await app.register(board.registerPlugin(), { prefix: BASE_PATH.slice('/admin'.length) });
}

async function refuseCrossSiteWrites(request: FastifyRequest, reply: FastifyReply) {
  if (request.method === 'GET' || request.method === 'HEAD') return;
  const site = request.headers['sec-fetch-site'];
  if (site === undefined || site === 'same-origin') return;
  return reply.code(403).send({ error: 'cross-site requests are not allowed' });
}

const BACK_LINK_STYLE = '<link rel="stylesheet" href="/assets/queues.css">';
const BACK_LINK = '<a class="ytconv-back" href="/admin">← Back to the jobs</a>';

/**
 * Our way back to the jobs, and without bull-board's web font: it is fetched from Google's CDN,
 * which the CSP refuses (one console error per visit); the system font does as well.
 */
function withBackLink(page: string): string {
  return page
    .replace(/<link[^>]*fonts\.googleapis\.com[^>]*>/g, '')
    .replace('</head>', `${BACK_LINK_STYLE}</head>`)
    .replace(/<body[^>]*>/, (body) => `${body}${BACK_LINK}`);
}
