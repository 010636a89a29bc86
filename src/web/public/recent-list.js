/** The home page's list of conversions started in this browser, kept current with the server. */
import { ApiError, api } from './api.js';
import { announce, h, icon } from './dom.js';
import { formatAgo, shortUrl } from './format.js';
import { recent } from './recent.js';
import { jobPath } from './routes.js';
import { displayStatus, FINAL_STATUSES, statusBadge } from './status.js';

/** @typedef {import('./recent.js').RecentJob} RecentJob */

export function renderRecentSection() {
  const section = h('section', { class: 'recent', 'aria-labelledby': 'recent-heading', testid: 'recent' });
  fillRecentSection(section);
  return section;
}

/** @param {HTMLElement} section */
function fillRecentSection(section) {
  const items = recent.list();
  const heading = h('h2', { id: 'recent-heading', tabindex: '-1' }, 'Recent conversions');
  const clear = h(
    'button',
    {
      type: 'button',
      class: 'button button--ghost button--small',
      onclick: () => {
        recent.clear();
        fillRecentSection(section);
        section.querySelector('h2')?.focus();
        announce('Recent conversions cleared');
      },
    },
    'Clear',
  );
  section.replaceChildren(
    h('div', { class: 'section-head' }, heading, items.length > 0 ? clear : null),
    items.length > 0
      ? h('ul', { class: 'recent__list' }, items.map(renderRecentItem))
      : h('p', { class: 'empty' }, 'Conversions you start in this browser will appear here.'),
  );
}

/** @param {RecentJob} item */
function renderRecentItem(item) {
  const meta = [item.format?.toUpperCase(), item.created_at ? formatAgo(item.created_at) : null].filter(Boolean);
  return h(
    'li',
    {},
    h(
      'a',
      { class: 'recent__item', href: jobPath(item.id), 'data-nav': true },
      h('span', { class: 'recent__icon' }, icon('music')),
      h(
        'span',
        { class: 'recent__text' },
        h('span', { class: 'recent__title' }, item.title || shortUrl(item.source ?? item.id)),
        h('span', { class: 'recent__meta' }, meta.join(' · ')),
      ),
      statusBadge(item.status, displayStatus(item)),
    ),
  );
}

/**
 * Jobs left running when the page was closed have moved on since; fetch their status once.
 * @param {HTMLElement} section
 */
export async function refreshRecentStatuses(section) {
  const open = recent.list().filter((item) => !FINAL_STATUSES.has(item.status));
  const changed = await Promise.all(
    open.map((item) =>
      api.getJob(item.id).then(
        (job) => {
          recent.update(job);
          return true;
        },
        (err) => {
          if (!(err instanceof ApiError && err.status === 404)) return false;
          recent.remove(item.id);
          return true;
        },
      ),
    ),
  );
  if (changed.includes(true) && section.isConnected) fillRecentSection(section);
}
