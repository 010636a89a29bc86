/**
 * The admin area under /admin: sign-in, the job list with its actions, the health page and the
 * queue dashboard.
 * Everything but the sign-in page needs a session; forms are parsed only here, never by the API.
 */
import type { FastifyInstance } from 'fastify';
import type { AdminApi } from '../../jobs/admin.ts';
import { type AuthDeps, requireCsrf, requireSession, signInRoutes, signOutRoute } from './auth.ts';
import { healthRoutes } from './health.ts';
import { jobRoutes } from './jobs.ts';
import { type KeyRoutesDeps, keyRoutes } from './keys.ts';
import { type QueueDashboardDeps, queueDashboard } from './queues.ts';

export type AdminDeps = AuthDeps & QueueDashboardDeps & KeyRoutesDeps & { api: AdminApi };

export async function adminRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  // Pages for people, not part of the API: keep them out of the OpenAPI document.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  await app.register(formRoutes, deps);
  await app.register(queueDashboard, deps);
}

/** HTML forms' bodies as plain objects of text fields, in the scope given (the API takes none). */
export function acceptForms(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

async function formRoutes(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  acceptForms(app);
  await app.register(signInRoutes, deps);
  await app.register(async (signedIn) => {
    signedIn.addHook('onRequest', requireSession(deps));
    signedIn.addHook('preHandler', requireCsrf);
    await signedIn.register(jobRoutes, deps);
    await signedIn.register(healthRoutes, deps);
    await signedIn.register(keyRoutes, deps);
    await signedIn.register(signOutRoute, deps);
  });
}
