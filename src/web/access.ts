/**
 * A private instance (YTCONV_ACCESS): the guard in front of the API's job routes, the site's own
 * sign-in and sign-out pages, and what `GET /api/options` tells the page. Who exists and what a key
 * may do is the access service's (jobs/access.ts); this module only reads requests.
 *
 * Every job route is behind the guard, reads and downloads too: a job's link alone does not open
 * a private server's files (a link in an email leads to the sign-in form first, then to the job).
 * The page's HTML and scripts are not: they hold no data, and the page sends people to sign in.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Access, type AccessMode, SIGN_IN_PATH, SIGN_OUT_PATH } from '../access.ts';
import { ConvertError } from '../errors.ts';
import type { ApiKey } from '../jobs/access.ts';
import {
  type AuthDeps,
  liveSession,
  requireCsrf,
  requireSession,
  SITE_DOOR,
  sessionOf,
  signInRoutes,
  signOutRoute,
} from './admin/auth.ts';
import { sendPage } from './admin/html.ts';
import { acceptForms } from './admin/index.ts';
import { signOutPage } from './admin/login-page.ts';
import { API_KEY_SCHEME, SESSION_SCHEME } from './api-docs.ts';
import { errorResponses } from './error-responses.ts';

export interface AccessDeps extends AuthDeps {
  mode: AccessMode;
}

type Caller = { kind: 'person'; username: string } | { kind: 'key'; key: ApiKey };

const callers = new WeakMap<FastifyRequest, Caller>();

/** The API key a request was let in with, for its own limit; null for a person, or an open server. */
export function apiKeyOf(request: FastifyRequest): ApiKey | null {
  const caller = callers.get(request);
  return caller?.kind === 'key' ? caller.key : null;
}

/** `Authorization: Bearer KEY` (RFC 6750), the scheme in any case. */
function bearerToken(header: string | undefined): string | undefined {
  const match = /^bearer +(\S+) *$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Who is calling, or null when nobody the mode lets in. With `apikey`, a request that names a key
 * stands or falls by that key; one without a key may still be a signed-in person (the page).
 */
async function callerOf(deps: AccessDeps, request: FastifyRequest): Promise<Caller | null> {
  const token = deps.mode === 'apikey' ? bearerToken(request.headers.authorization) : undefined;
  if (token !== undefined) {
    const key = await deps.api.keyFor(token);
    return key && { kind: 'key', key };
  }
  const session = await liveSession(deps, request, SITE_DOOR);
  return session && { kind: 'person', username: session.username };
}

/** One message whatever was wrong (no key, a wrong one, a revoked one, no session): nothing to learn from it. */
function refusal(mode: AccessMode): ConvertError {
  const how =
    mode === 'apikey'
      ? `send an API key (Authorization: Bearer KEY), or sign in at ${SIGN_IN_PATH}`
      : `sign in at ${SIGN_IN_PATH}`;
  return new ConvertError('unauthorized', `This server is private: ${how}.`);
}

/**
 * Put the routes registered next in `scope` behind the guard: 401 `unauthorized` unless the mode
 * lets the caller in; their documentation says so, and names the key's header.
 */
export function guardRoutes(scope: FastifyInstance, deps: AccessDeps): void {
  scope.addHook('onRoute', (route) => {
    const schema = route.schema ?? {};
    route.schema = {
      ...schema,
      ...(deps.mode === 'apikey' && { security: [{ [API_KEY_SCHEME]: [] }, { [SESSION_SCHEME]: [] }] }),
      ...(deps.mode === 'login' && { security: [{ [SESSION_SCHEME]: [] }] }),
      response: { ...errorResponses('unauthorized'), ...(schema.response as object | undefined) },
    };
  });
  scope.addHook('onRequest', async (request, reply) => {
    const caller = await callerOf(deps, request);
    if (caller === null) {
      if (deps.mode === 'apikey') reply.header('www-authenticate', 'Bearer realm="ytconv"');
      throw refusal(deps.mode);
    }
    callers.set(request, caller);
  });
}

const OPEN: Access = { mode: 'open', user: null, sign_in: null, sign_out: null };

/** What the page must know: whether to send its visitor to sign in first, and how to sign out. */
export async function describeAccess(deps: AccessDeps | undefined, request: FastifyRequest): Promise<Access> {
  if (deps === undefined || deps.mode === 'open') return OPEN;
  const session = await liveSession(deps, request, SITE_DOOR);
  return {
    mode: deps.mode,
    user: session?.username ?? null,
    sign_in: session ? null : SIGN_IN_PATH,
    sign_out: session ? SIGN_OUT_PATH : null,
  };
}

/** GET and POST /login, GET and POST /logout: the site's door, for everyone who may sign in. */
export async function siteSignInRoutes(app: FastifyInstance, deps: AccessDeps): Promise<void> {
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  acceptForms(app);
  const door = { ...deps, door: SITE_DOOR };
  await app.register(signInRoutes, door);
  await app.register(async (signedIn) => {
    signedIn.addHook('onRequest', requireSession(deps, SITE_DOOR));
    signedIn.addHook('preHandler', requireCsrf);
    signedIn.get(SIGN_OUT_PATH, async (request, reply) => sendPage(reply, 200, signOutPage(sessionOf(request))));
    await signedIn.register(signOutRoute, door);
  });
}
