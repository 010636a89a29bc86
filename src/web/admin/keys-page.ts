/** The admin's API keys page: every key with its limit, a form for a new one, and a new key shown once. */
import type { ApiKey } from '../../jobs/access.ts';
import { formatRate } from '../../units.ts';
import { formatTime } from './format.ts';
import { type Html, html } from './html.ts';
import { csrfField, layout } from './layout.ts';
import type { Session } from './session.ts';

export interface KeysPage {
  keys: readonly ApiKey[];
  session: Session;
  /** What the limit field holds: the rate typed in before a refusal, else the server's default. */
  rateText: string;
  name?: string;
  /** A key just made: shown this once. */
  created?: { name: string; key: string };
  message?: { kind: 'notice' | 'error'; text: string };
}

export function keysPage(page: KeysPage): Html {
  const { keys, message, created } = page;
  const body = html`<div class="admin-head">
        <h1>API keys</h1>
        <span class="muted">${keys.filter((key) => key.revoked_at === null).length} in use</span>
      </div>
      ${message && html`<p class="admin-alert admin-alert--${message.kind}" role="${message.kind === 'error' ? 'alert' : 'status'}">${message.text}</p>`}
      ${
        created &&
        html`<section class="card admin-new-key" aria-label="New key">
        <p>The key <strong>${created.name}</strong>, shown this once: copy it now. Clients send it as <code>Authorization: Bearer KEY</code>.</p>
        <p><code class="admin-new-key__key" data-testid="new-key">${created.key}</code></p>
      </section>`
      }
      <form class="admin-filters" method="post" action="/admin/keys">
        ${csrfField(page.session)}
        <label class="field">
          <span class="field__label">Name</span>
          <input class="input" name="name" value="${page.name ?? ''}" required maxlength="100">
        </label>
        <label class="field">
          <span class="field__label">New jobs allowed</span>
          <input class="input" name="rate" value="${page.rateText}" required placeholder="30/1m, 100/1h or none">
        </label>
        <button class="button button--primary" type="submit">Create key</button>
      </form>
      ${keys.length === 0 ? html`<p class="empty">No API keys yet.</p>` : table(page)}`;
  return layout('API keys', page.session, body);
}

function table(page: KeysPage): Html {
  return html`<div class="admin-table-wrap">
        <table class="admin-table">
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Limit</th><th scope="col">Created</th><th scope="col">Revoked</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
          </thead>
          <tbody>
            ${page.keys.map((key) => row(key, page.session))}
          </tbody>
        </table>
      </div>`;
}

function row(key: ApiKey, session: Session): Html {
  return html`<tr>
              <td>${key.name}</td>
              <td data-label="Id"><code>${key.id}</code></td>
              <td data-label="Limit">${formatRate(key.rate)}</td>
              <td data-label="Created">${formatTime(key.created_at)}</td>
              <td data-label="Revoked">${key.revoked_at === null ? '—' : formatTime(key.revoked_at)}</td>
              <td class="admin-table__actions">${
                key.revoked_at === null &&
                html`<form method="post" action="/admin/keys/${key.id}/revoke">
                  ${csrfField(session)}
                  <button class="button button--small button--secondary button--danger" type="submit" aria-label="Revoke key ${key.name}">Revoke</button>
                </form>`
              }</td>
            </tr>`;
}
