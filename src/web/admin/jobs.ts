/**
 * GET /admin (the job list) and POST /admin/jobs/:id/{retry,cancel,delete}. An action answers with
 * a redirect back to the list it was made from (so reloading does not repeat it), carrying what it
 * did; a refusal re-renders that list with the reason and the refusal's status. Cancel and delete
 * cannot be undone, so their buttons lead to GET /admin/jobs/:id/{cancel,delete} first: a page
 * that asks to confirm and changes nothing itself.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ConvertError } from '../../errors.ts';
import type { AdminApi, JobListQuery } from '../../jobs/admin.ts';
import { JOB_STATUSES, type JobStatus } from '../../jobs/types.ts';
import { formField, sessionOf } from './auth.ts';
import { type ConfirmedAction, confirmPage } from './confirm-page.ts';
import { type Html, html, sendPage } from './html.ts';
import { type JobsPage, jobsPage, listUrl } from './jobs-page.ts';
import type { Session } from './session.ts';

const PAGE_SIZE = 50;

const ACTIONS = {
  retry: async (api: AdminApi, id: string) => (await api.retry(id)).id,
  cancel: async (api: AdminApi, id: string) => (await api.cancel(id)).id,
  delete: async (api: AdminApi, id: string) => {
    await api.remove(id);
    return id;
  },
} as const;
type Action = keyof typeof ACTIONS;

const NOTICES: Record<Action, (jobId: string) => Html> = {
  retry: (id) => html`Retrying as a new job: <a href="/jobs/${id}">${id}</a>.`,
  cancel: (id) => html`Cancelled job ${id}.`,
  delete: (id) => html`Deleted job ${id} and its files.`,
};

export async function jobRoutes(app: FastifyInstance, deps: { api: AdminApi }): Promise<void> {
  app.get('/', async (request, reply) => {
    const params = request.query as Record<string, unknown>;
    const done = String(params.done ?? '');
    const message = isAction(done)
      ? { kind: 'notice' as const, text: NOTICES[done](String(params.job ?? '')) }
      : undefined;
    return render(reply, deps.api, sessionOf(request), listQuery(params), 200, message);
  });

  for (const action of Object.keys(ACTIONS) as Action[]) {
    app.post(`/jobs/:id/${action}`, async (request, reply) => {
      const { id } = request.params as { id: string };
      const back = backQuery(formField(request.body, 'back'));
      return refusalShown(reply, deps.api, sessionOf(request), back, async () => {
        const jobId = await ACTIONS[action](deps.api, id);
        return reply.redirect(listUrl(back, { done: action, job: jobId }), 303);
      });
    });
  }

  for (const action of CONFIRMED) {
    app.get(`/jobs/:id/${action}`, async (request, reply) => {
      const { id } = request.params as { id: string };
      const back = backQuery(String((request.query as Record<string, unknown>).back ?? ''));
      const session = sessionOf(request);
      return refusalShown(reply, deps.api, session, back, async () => {
        const job = await deps.api.job(id);
        return sendPage(reply, 200, confirmPage({ action, job, session, back: listUrl(back) }));
      });
    });
  }
}

const CONFIRMED: readonly ConfirmedAction[] = ['cancel', 'delete'];

/** `work`'s answer; or, when the service refuses (not found, conflict), the list with the reason. */
async function refusalShown(
  reply: FastifyReply,
  api: AdminApi,
  session: Session,
  back: JobListQuery,
  work: () => Promise<FastifyReply>,
): Promise<FastifyReply> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof ConvertError) || err.status >= 500) throw err;
    return render(reply, api, session, back, err.status, { kind: 'error', text: err.message });
  }
}

async function render(
  reply: FastifyReply,
  api: AdminApi,
  session: Session,
  query: JobListQuery,
  status: number,
  message?: JobsPage['message'],
): Promise<FastifyReply> {
  const [list, ytdlp] = await Promise.all([api.list(query), api.ytdlp()]);
  return sendPage(reply, status, jobsPage({ list, ytdlp, query, session, ...(message && { message }) }));
}

function isAction(name: string): name is Action {
  return Object.hasOwn(ACTIONS, name);
}

/** Lenient: an unknown status or a bad page number shows everything from the first page. */
function listQuery(params: Record<string, unknown>): JobListQuery {
  const status = String(params.status ?? '');
  const search = String(params.q ?? '')
    .trim()
    .slice(0, 200);
  const page = Number(params.page);
  return {
    ...(JOB_STATUSES.includes(status as JobStatus) && { status: status as JobStatus }),
    ...(search && { search }),
    page: Number.isSafeInteger(page) && page > 0 ? page : 1,
    pageSize: PAGE_SIZE,
  };
}

/** The list an action form came from; only ever a list address, so it cannot redirect elsewhere. */
function backQuery(back: string | undefined): JobListQuery {
  const url = URL.parse(back ?? '', 'http://admin.invalid');
  return listQuery(url?.pathname === '/admin' ? Object.fromEntries(url.searchParams) : {});
}
