/**
 * Signing in and out, and the guards of every other admin route: a valid session cookie (else a
 * redirect to the sign-in page) and, on every POST, the session's CSRF token in the `_csrf` field.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminApi } from '../../jobs/admin.ts';
import { sendPage } from './html.ts';
import { loginPage } from './login-page.ts';
import { clearedCookie, csrfMatches, newSessionValue, readSession, type Session, sessionCookie } from './session.ts';

export interface AuthDeps {
  api: AdminApi;
  secretKey: string;
  /** Mark the cookie Secure: the site is served over HTTPS. */
  secureCookie: boolean;
}

const sessions = new WeakMap<FastifyRequest, Session>();

/** The session requireSession found; only for routes behind it. */
export function sessionOf(request: FastifyRequest): Session {
  const session = sessions.get(request);
  if (session === undefined) throw new Error('admin route without requireSession');
  return session;
}

/** An onRequest hook: no valid session, no admin page. */
export function requireSession(deps: AuthDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const session = readSession(deps.secretKey, request.headers.cookie);
    if (session === null) return reply.redirect('/admin/login', request.method === 'GET' ? 302 : 303);
    sessions.set(request, session);
  };
}

/** A preHandler (it needs the parsed body): every POST carries this session's token. */
export async function requireCsrf(request: FastifyRequest, reply: FastifyReply) {
  if (request.method !== 'POST') return;
  if (csrfMatches(sessionOf(request), formField(request.body, '_csrf'))) return;
  return reply
    .code(403)
    .type('text/plain; charset=utf-8')
    .send('This form is stale or was not sent from this site. Go back, reload the page and try again.');
}

/** One text field of a parsed form, or undefined. */
export function formField(body: unknown, name: string): string | undefined {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** GET and POST /admin/login: open to everyone. */
export async function signInRoutes(app: FastifyInstance, deps: AuthDeps): Promise<void> {
  app.get('/login', async (request, reply) => {
    if (readSession(deps.secretKey, request.headers.cookie)) return reply.redirect('/admin');
    return sendPage(reply, 200, loginPage());
  });
  app.post('/login', async (request, reply) => {
    const username = formField(request.body, 'username') ?? '';
    const password = formField(request.body, 'password') ?? '';
    const admin = username && password ? await deps.api.authenticate(username, password) : null;
    if (admin === null) return sendPage(reply, 401, loginPage({ username, error: 'Wrong username or password.' }));
    const cookie = sessionCookie(newSessionValue(deps.secretKey, admin), deps.secureCookie);
    return reply.header('set-cookie', cookie).redirect('/admin', 303);
  });
}

/** POST /admin/logout: behind requireSession and requireCsrf, so other sites cannot sign anyone out. */
export async function signOutRoute(app: FastifyInstance, deps: AuthDeps): Promise<void> {
  app.post('/logout', async (_request, reply) =>
    reply.header('set-cookie', clearedCookie(deps.secureCookie)).redirect('/admin/login', 303),
  );
}
