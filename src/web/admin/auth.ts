/**
 * Signing in and out, and the guards of every other admin route: a valid session cookie (else a
 * redirect to the sign-in page) and, on every POST, the session's CSRF token in the `_csrf` field.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminApi } from '../../jobs/admin.ts';
import { failureThrottle, type Throttle } from '../rate-limit.ts';
import { formatTime } from './format.ts';
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

/** The request's session when its cookie is valid and its admin has not been deleted since. */
async function liveSession(deps: AuthDeps, request: FastifyRequest): Promise<Session | null> {
  const session = readSession(deps.secretKey, request.headers.cookie);
  return session !== null && (await deps.api.isAdmin(session.username)) ? session : null;
}

/** An onRequest hook: no valid session, no admin page. */
export function requireSession(deps: AuthDeps) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const session = await liveSession(deps, request);
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

/**
 * Guessing passwords: wrong ones are counted per address and per username (lower-cased, so case
 * variants share a count), and past either limit even the right password waits. The per-name
 * limit lets a stranger hold one admin out for a while; that is the price of stopping guesses
 * spread over many addresses.
 */
const SIGN_IN_WINDOW_SEC = 15 * 60;
const FAILURES_PER_ADDRESS = 20;
const FAILURES_PER_USERNAME = 10;

function signInThrottle(app: FastifyInstance): Throttle {
  const username = (request: FastifyRequest) =>
    (formField(request.body, 'username') ?? '').trim().toLowerCase().slice(0, 200);
  return failureThrottle(app, [
    { max: FAILURES_PER_ADDRESS, windowSec: SIGN_IN_WINDOW_SEC, key: (request) => `sign-in:ip:${request.ip}` },
    {
      max: FAILURES_PER_USERNAME,
      windowSec: SIGN_IN_WINDOW_SEC,
      key: (request) => `sign-in:user:${username(request)}`,
    },
  ]);
}

/** GET and POST /admin/login: open to everyone. */
export async function signInRoutes(app: FastifyInstance, deps: AuthDeps): Promise<void> {
  const throttle = signInThrottle(app);
  app.get('/login', async (request, reply) => {
    if (await liveSession(deps, request)) return reply.redirect('/admin');
    return sendPage(reply, 200, loginPage());
  });
  app.post('/login', async (request, reply) => {
    const username = formField(request.body, 'username') ?? '';
    const password = formField(request.body, 'password') ?? '';
    const waitSec = await throttle.waitSec(request);
    if (waitSec > 0) {
      const minutes = Math.ceil(waitSec / 60);
      const error = `Too many wrong passwords. Try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}, after ${formatTime(Date.now() + waitSec * 1000)}.`;
      return sendPage(reply.header('retry-after', String(waitSec)), 429, loginPage({ username, error }));
    }
    const admin = username && password ? await deps.api.authenticate(username, password) : null;
    if (admin === null) {
      await throttle.failed(request);
      return sendPage(reply, 401, loginPage({ username, error: 'Wrong username or password.' }));
    }
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
