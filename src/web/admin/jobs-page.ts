/** The admin's job list: filters, the table with per-row actions, and pagination. */
import type { AdminJob, JobList, JobListQuery } from '../../jobs/admin.ts';
import { JOB_STATUSES } from '../../jobs/types.ts';
import type { YtdlpStatus } from '../../jobs/ytdlp-status.ts';
import type { ConfirmedAction } from './confirm-page.ts';
import { formatBytes, formatClock, formatTime } from './format.ts';
import { type Html, html } from './html.ts';
import { csrfField, layout } from './layout.ts';
import type { Session } from './session.ts';
import { ytdlpPanel } from './ytdlp-panel.ts';

export interface JobsPage {
  list: JobList;
  ytdlp: YtdlpStatus;
  query: JobListQuery;
  session: Session;
  /** What the last action did, or why it was refused. */
  message?: { kind: 'notice' | 'error'; text: string | Html };
}

/** The list's address for a query, so that filters, pages and actions lead back to the same view. */
export function listUrl(query: Omit<JobListQuery, 'pageSize'>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.search) params.set('q', query.search);
  if (query.page > 1) params.set('page', String(query.page));
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text ? `/admin?${text}` : '/admin';
}

export function jobsPage(page: JobsPage): Html {
  const { list, message } = page;
  const body = html`<div class="admin-head">
        <h1>Jobs</h1>
        <span class="muted">${list.total} ${list.total === 1 ? 'job' : 'jobs'}</span>
      </div>
      ${message && html`<p class="admin-alert admin-alert--${message.kind}" role="${message.kind === 'error' ? 'alert' : 'status'}">${message.text}</p>`}
      ${ytdlpPanel(page.ytdlp)}
      ${filters(page.query)}
      ${list.jobs.length === 0 ? html`<p class="empty">No jobs match.</p>` : table(page)}
      ${pagination(page)}`;
  return layout('Jobs', page.session, body);
}

function filters(query: JobListQuery): Html {
  const option = (value: string, label: string) =>
    html`<option value="${value}"${(query.status ?? '') === value ? html` selected` : ''}>${label}</option>`;
  return html`<form class="admin-filters" method="get" action="/admin" role="search">
        <label class="field">
          <span class="field__label">Status</span>
          <select class="input" name="status">${option('', 'Any')}${JOB_STATUSES.map((s) => option(s, s))}</select>
        </label>
        <label class="field admin-filters__search">
          <span class="field__label">Search</span>
          <input class="input" type="search" name="q" value="${query.search ?? ''}" placeholder="Title, link, email or job id">
        </label>
        <button class="button button--secondary" type="submit">Filter</button>
      </form>`;
}

function table(page: JobsPage): Html {
  return html`<div class="admin-table-wrap">
        <table class="admin-table">
          <thead>
            <tr><th scope="col">Status</th><th scope="col">Job</th><th scope="col">Duration</th><th scope="col">Size</th><th scope="col">Created</th><th scope="col">Error</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            ${page.list.jobs.map((job) => row(job, page))}
          </tbody>
        </table>
      </div>`;
}

function row(job: AdminJob, page: JobsPage): Html {
  return html`<tr>
              <td><span class="badge badge--${job.status}">${job.status}</span></td>
              <td class="admin-table__job">
                <a href="/jobs/${job.id}">${job.title ?? `Job ${job.id}`}</a>
                <div class="muted">${job.source.site ?? 'unknown site'} · ${sourceLink(job)}</div>
              </td>
              <td data-label="Duration">${job.duration === null ? '—' : formatClock(job.duration)}</td>
              <td data-label="Size">${job.expired ? 'expired' : job.files === 0 ? '—' : `${formatBytes(job.size)} (${job.files})`}</td>
              <td data-label="Created"><time datetime="${new Date(job.created_at).toISOString()}">${formatTime(job.created_at)}</time></td>
              <td data-label="Error">${job.error && html`<code>${job.error.code}</code> <span class="admin-table__error">${job.error.message}</span>`}${
                job.email_error && html` <span class="admin-table__error">Email not sent: ${job.email_error}</span>`
              }${job.webhook_error && html` <span class="admin-table__error">Webhook not delivered: ${job.webhook_error}</span>`}</td>
              <td class="admin-table__actions">${actions(job, page)}</td>
            </tr>`;
}

function sourceLink(job: AdminJob): Html {
  if (job.source.kind !== 'url' || !/^https?:\/\//i.test(job.source.url)) return html`upload`;
  return html`<a href="${job.source.url}" rel="noreferrer noopener" target="_blank">${job.source.url}</a>`;
}

/** Retry posts at once (it only adds a job); Cancel and Delete lead to a page that asks first. */
function actions(job: AdminJob, page: JobsPage): Html[] {
  const back = listUrl(page.query);
  const label = (action: string) => `${action} job ${job.title ?? job.id}`;
  const retry = html`<form method="post" action="/admin/jobs/${job.id}/retry">
                  ${csrfField(page.session)}<input type="hidden" name="back" value="${back}">
                  <button class="button button--small button--secondary" type="submit" aria-label="${label('Retry')}">Retry</button>
                </form>`;
  const ask = (action: ConfirmedAction, text: string, style: string) =>
    html`<a class="button button--small ${style}" href="/admin/jobs/${job.id}/${action}?${new URLSearchParams({ back })}" aria-label="${label(text)}">${text}</a>`;
  const active = job.status === 'queued' || job.status === 'running';
  return [
    ...((job.status === 'failed' || job.status === 'cancelled') && job.source.kind === 'url' ? [retry] : []),
    ...(active ? [ask('cancel', 'Cancel', 'button--secondary')] : []),
    ask('delete', 'Delete', 'button--secondary button--danger'),
  ];
}

function pagination(page: JobsPage): Html | false {
  const { query, list } = page;
  const pages = Math.max(1, Math.ceil(list.total / query.pageSize));
  if (pages === 1) return false;
  const link = (to: number, label: string, rel: string) =>
    to >= 1 && to <= pages
      ? html`<a class="button button--secondary button--small" rel="${rel}" href="${listUrl({ ...query, page: to })}">${label}</a>`
      : html`<span class="button button--secondary button--small" aria-disabled="true">${label}</span>`;
  return html`<nav class="admin-pages" aria-label="Pages">
        ${link(query.page - 1, 'Newer', 'prev')}
        <span class="muted">Page ${query.page} of ${pages}</span>
        ${link(query.page + 1, 'Older', 'next')}
      </nav>`;
}
