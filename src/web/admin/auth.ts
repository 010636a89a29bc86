/**
 * Signing in and out, and the guards of every other admin route: a valid session cookie (else a
 * redirect to the sign-in page) and, on every POST, the session's CSRF token in the `_csrf` field.
 * There are two doors to the same session: the admin area's, for admins only, and the site's
 * (YTCONV_ACCESS=login or apikey), for everyone who may sign in.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../../access.ts';
import type { AccessApi } from '../../jobs/access.ts';
import { failureThrottle, type Throttle } from '../rate-limit.ts';
import { formatTime } from './format.ts';
import { sendPage } from './html.ts';
import { type LoginForm, loginPage } from './login-page.ts';
import { clearedCookie, csrfMatches, newSessionValue, readSession, type Session, sessionCookie } from './session.ts';

export interface AuthDeps {
  api: AccessApi;
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

/** Where a sign-in form lives (`PREFIX/login`, home at PREFIX) and whom it lets in. */
export interface Door {
  prefix: '' | '/admin';
  admits(role: Role): boolean;
}

export const ADMIN_DOOR: Door = { prefix: '/admin', admits: (role) => role === 'admin' };
export const SITE_DOOR: Door = { prefix: '', admits: () => true };

/**
 * The request's session when its cookie is valid and its person, not deleted since, may pass the
 * door: deleting someone (or making an admin a user) ends their sessions at their next request.
 */
export async function liveSession(deps: AuthDeps, request: FastifyRequest, door: Door): Promise<Session | null> {
  const session = readSession(deps.secretKey, request.headers.cookie);
  if (session === null) return null;
  const role = await deps.api.roleOf(session.username);
  return role !== null && door.admits(role) ? session : null;
}

/** An onRequest hook: no valid session for the door, no page behind it. */
export function requireSession(deps: AuthDeps, door: Door = ADMIN_DOOR) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const session = await liveSession(deps, request, door);
    if (session === null) return reply.redirect(`${door.prefix}/login`, request.method === 'GET' ? 302 : 303);
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

/**
 * Where to go after signing in: the local path the form was given in `next` (the page a person
 * was sent away from), never another site's (`//host`, `/\\host`), else the door's home.
 */
function nextPath(door: Door, next: string | undefined): string {
  return next !== undefined && /^\/(?![/\\])/.test(next) ? next : door.prefix || '/';
}

type SignInRequest = FastifyRequest<{ Querystring: { next?: string } }>;

/** Which door a plugin serves: the admin area's unless told. */
export type DoorDeps = AuthDeps & { door?: Door };

/** GET and POST PREFIX/login: open to everyone. */
export async function signInRoutes(app: FastifyInstance, deps: DoorDeps): Promise<void> {
  const door = deps.door ?? ADMIN_DOOR;
  const throttle = signInThrottle(app);
  const form = (fields: Omit<LoginForm, 'action' | 'admin'>) => ({
    ...fields,
    action: `${door.prefix}/login`,
    admin: door === ADMIN_DOOR,
  });
  app.get('/login', async (request: SignInRequest, reply) => {
    const next = typeof request.query.next === 'string' ? request.query.next : undefined;
    if (await liveSession(deps, request, door)) return reply.redirect(nextPath(door, next));
    return sendPage(reply, 200, loginPage(form({ next })));
  });
  app.post('/login', async (request, reply) => {
    const username = formField(request.body, 'username') ?? '';
    const password = formField(request.body, 'password') ?? '';
    const next = formField(request.body, 'next');
    const waitSec = await throttle.waitSec(request);
    if (waitSec > 0) {
      const minutes = Math.ceil(waitSec / 60);
      const error = `Too many wrong passwords. Try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}, after ${formatTime(Date.now() + waitSec * 1000)}.`;
      return sendPage(reply.header('retry-after', String(waitSec)), 429, loginPage(form({ username, error, next })));
    }
    const person = username && password ? await deps.api.signIn(username, password) : null;
    // A user at the admin's door hears the same as a wrong password: nothing tells a guess was right.
    if (person === null || !door.admits(person.role)) {
      await throttle.failed(request);
      return sendPage(reply, 401, loginPage(form({ username, error: 'Wrong username or password.', next })));
    }
    const cookie = sessionCookie(newSessionValue(deps.secretKey, person.username), deps.secureCookie);
    return reply.header('set-cookie', cookie).redirect(nextPath(door, next), 303);
  });
}

/** POST PREFIX/logout: behind requireSession and requireCsrf, so other sites cannot sign anyone out. */
export async function signOutRoute(app: FastifyInstance, deps: DoorDeps): Promise<void> {
  const door = deps.door ?? ADMIN_DOOR;
  app.post('/logout', async (_request, reply) =>
    reply.header('set-cookie', clearedCookie(deps.secureCookie)).redirect(`${door.prefix}/login`, 303),
  );
}
