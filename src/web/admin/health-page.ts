/**
 * The admin's health page: what the service itself knows about how it copes with the video sites
 * (OpsHealth, jobs/ops-health.ts), with a button where an operator can act: lift a pause, put a
 * cookies file back. Each button is a plain form carrying the session's CSRF token.
 */
import type { CookiesStatus } from '../../jobs/cookies-pool.ts';
import type { FailureRow, OpsHealth, PauseInForce, SiteRate } from '../../jobs/ops-health.ts';
import { formatTime } from './format.ts';
import { type Html, html } from './html.ts';
import { csrfField, layout } from './layout.ts';
import type { Session } from './session.ts';
import { ytdlpPanel } from './ytdlp-panel.ts';

export interface HealthPage {
  health: OpsHealth;
  session: Session;
  message?: { kind: 'notice' | 'error'; text: string };
}

export function healthPage(page: HealthPage): Html {
  const { health, message, session } = page;
  const body = html`<div class="admin-head"><h1>Health</h1></div>
      ${message && html`<p class="admin-alert admin-alert--${message.kind}" role="${message.kind === 'error' ? 'alert' : 'status'}">${message.text}</p>`}
      ${ytdlpPanel(health.ytdlp)}
      ${section('Sites over the last hour', health.sites.length === 0 ? empty('No conversion of a video site ended in the last hour.') : sitesTable(health.sites))}
      ${section('Pauses', health.pauses.length === 0 ? empty('No site is paused.') : pausesTable(health.pauses, session))}
      ${health.cookies.length > 0 && section('Cookies pool', cookiesTable(health.cookies, session))}
      ${section('Failures by code', health.failures.length === 0 ? empty('No conversion failed in the last day.') : failuresTable(health))}
      ${health.latest.length > 0 && section('Latest failures', latestTable(health.latest))}`;
  return layout('Health', session, body);
}

function section(title: string, content: Html): Html {
  return html`<section class="admin-section" aria-label="${title}">
        <h2>${title}</h2>
        ${content}
      </section>`;
}

function empty(text: string): Html {
  return html`<p class="empty">${text}</p>`;
}

function table(headings: readonly string[], rows: Html[]): Html {
  return html`<div class="admin-table-wrap">
          <table class="admin-table">
            <thead><tr>${headings.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
            <tbody>${rows}</tbody>
          </table>
        </div>`;
}

function sitesTable(sites: readonly SiteRate[]): Html {
  return table(
    ['Site', 'Done', 'Failed', 'Waiting', 'Success'],
    sites.map(
      (s) => html`<tr>
              <td>${s.site ?? 'not known (failed before yt-dlp named the site)'}</td>
              <td data-label="Done">${s.done}</td>
              <td data-label="Failed">${s.failed}</td>
              <td data-label="Waiting">${s.parked}</td>
              <td data-label="Success">${Math.round(s.successRate * 100)} %</td>
            </tr>`,
    ),
  );
}

function pausesTable(pauses: readonly PauseInForce[], session: Session): Html {
  return table(
    ['Site', 'Why', 'Until', 'Action'],
    pauses.map(
      (p) => html`<tr>
              <td>${p.site}</td>
              <td data-label="Why"><code>${p.cause}</code> <span class="admin-table__error">${p.message}</span></td>
              <td data-label="Until">${p.until === null ? 'yt-dlp is updated' : formatTime(p.until)}</td>
              <td class="admin-table__actions">${actionForm('/admin/health/resume', 'site', p.site, 'Resume now', `Resume ${p.site} now`, session)}</td>
            </tr>`,
    ),
  );
}

function cookiesTable(pool: readonly CookiesStatus[], session: Session): Html {
  return table(
    ['File', 'State', 'Last used', 'Jobs', 'Bot walls', 'Action'],
    pool.map((c) => {
      const aside = c.setAside;
      const state = aside
        ? `set aside since ${formatTime(aside.since)}, ${aside.until === null ? 'until put back' : `until ${formatTime(aside.until)}`}`
        : 'in use';
      return html`<tr>
              <td>${c.name}</td>
              <td data-label="State">${state}</td>
              <td data-label="Last used">${c.lastUsedAt === null ? 'never' : formatTime(c.lastUsedAt)}</td>
              <td data-label="Jobs">${c.uses}</td>
              <td data-label="Bot walls">${c.botWalls}</td>
              <td class="admin-table__actions">${aside && actionForm('/admin/health/cookies-back', 'name', c.name, 'Put back', `Put ${c.name} back in use`, session)}</td>
            </tr>`;
    }),
  );
}

function failuresTable(health: OpsHealth): Html {
  return table(
    ['Code', 'Last hour', 'Last day'],
    health.failures.map(
      (f) => html`<tr>
              <td><code>${f.code}</code></td>
              <td data-label="Last hour">${f.lastHour}</td>
              <td data-label="Last day">${f.lastDay}</td>
            </tr>`,
    ),
  );
}

function latestTable(latest: readonly FailureRow[]): Html {
  return table(
    ['Ended', 'Site', 'What', 'Error'],
    latest.map(
      (f) => html`<tr>
              <td><time datetime="${new Date(f.finishedAt).toISOString()}">${formatTime(f.finishedAt)}</time></td>
              <td data-label="Site">${f.site ?? '—'}</td>
              <td data-label="What" class="admin-table__job">${f.title ?? f.url}</td>
              <td data-label="Error">${f.code && html`<code>${f.code}</code>`} <span class="admin-table__error">${f.message ?? ''}</span></td>
            </tr>`,
    ),
  );
}

/** A one-button form posting `field=value`, as every admin action is: with the session's token. */
function actionForm(action: string, field: string, value: string, text: string, label: string, session: Session): Html {
  return html`<form method="post" action="${action}">
                ${csrfField(session)}<input type="hidden" name="${field}" value="${value}">
                <button class="button button--small button--secondary" type="submit" aria-label="${label}">${text}</button>
              </form>`;
}
