/**
 * The page between a Cancel or Delete button and the action: it names the job, says what will
 * happen and posts the action only when its own button is pressed. A plain page rather than a
 * script's dialog, since the admin pages run no script (see ADMIN_CSP).
 */
import type { AdminJob } from '../../jobs/admin.ts';
import { formatTime } from './format.ts';
import { type Html, html } from './html.ts';
import { csrfField, layout } from './layout.ts';
import type { Session } from './session.ts';

export type ConfirmedAction = 'cancel' | 'delete';

const TEXTS: Record<ConfirmedAction, { title: string; consequence: string; go: string }> = {
  cancel: {
    title: 'Cancel this job?',
    consequence:
      'Its conversion stops, unless another person’s job shares it, and whoever asked for it sees it as cancelled. It can be retried afterwards.',
    go: 'Cancel job',
  },
  delete: {
    title: 'Delete this job?',
    consequence:
      'The job goes for good, and its files with it unless another person’s job shares them; if it is still running, it is cancelled first. This cannot be undone.',
    go: 'Delete job',
  },
};

export interface ConfirmPage {
  action: ConfirmedAction;
  job: AdminJob;
  session: Session;
  /** The list the button was pressed on, to return to either way. */
  back: string;
}

export function confirmPage({ action, job, session, back }: ConfirmPage): Html {
  const text = TEXTS[action];
  const body = html`<section class="card admin-confirm" aria-labelledby="confirm-title">
        <h1 id="confirm-title">${text.title}</h1>
        <p class="admin-confirm__job">
          <span class="badge badge--${job.status}">${job.status}</span>
          <strong>${job.title ?? `Job ${job.id}`}</strong>
        </p>
        <p class="muted">${job.title === null ? 'Created' : `Job ${job.id}, created`} ${formatTime(job.created_at)}.</p>
        <p>${text.consequence}</p>
        <form class="admin-confirm__actions" method="post" action="/admin/jobs/${job.id}/${action}">
          ${csrfField(session)}<input type="hidden" name="back" value="${back}">
          <button class="button admin-confirm__go" type="submit">${text.go}</button>
          <a class="button button--secondary" href="${back}">Keep the job</a>
        </form>
      </section>`;
  return layout(text.title, session, body);
}
