/** GET /admin/health and its two actions: lift a site's pause, put a cookies file back in use. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ConvertError } from '../../errors.ts';
import type { AdminApi } from '../../jobs/admin.ts';
import { formField, sessionOf } from './auth.ts';
import { type HealthPage, healthPage } from './health-page.ts';
import { sendPage } from './html.ts';
import type { Session } from './session.ts';

const ACTIONS = {
  resume: {
    field: 'site',
    run: (api: AdminApi, site: string) => api.resumeSite(site),
    notice: (site: string) => `${site} resumed: its waiting conversions start now.`,
  },
  'cookies-back': {
    field: 'name',
    run: (api: AdminApi, name: string) => api.putCookiesBack(name),
    notice: (name: string) => `${name} is back in the cookies pool.`,
  },
} as const;
type Action = keyof typeof ACTIONS;

export async function healthRoutes(app: FastifyInstance, deps: { api: AdminApi }): Promise<void> {
  app.get('/health', async (request, reply) => {
    const params = request.query as Record<string, unknown>;
    const done = String(params.done ?? '');
    const message = isAction(done)
      ? { kind: 'notice' as const, text: ACTIONS[done].notice(String(params.what ?? '')) }
      : undefined;
    return render(reply, deps.api, sessionOf(request), 200, message);
  });

  for (const [name, action] of Object.entries(ACTIONS) as [Action, (typeof ACTIONS)[Action]][]) {
    app.post(`/health/${name}`, async (request, reply) => {
      const what = formField(request.body, action.field) ?? '';
      try {
        await action.run(deps.api, what);
      } catch (err) {
        if (!(err instanceof ConvertError) || err.status >= 500) throw err;
        return render(reply, deps.api, sessionOf(request), err.status, { kind: 'error', text: err.message });
      }
      return reply.redirect(`/admin/health?${new URLSearchParams({ done: name, what })}`, 303);
    });
  }
}

async function render(
  reply: FastifyReply,
  api: AdminApi,
  session: Session,
  status: number,
  message?: HealthPage['message'],
): Promise<FastifyReply> {
  return sendPage(reply, status, healthPage({ health: await api.health(), session, ...(message && { message }) }));
}

function isAction(name: string): name is Action {
  return Object.hasOwn(ACTIONS, name);
}
