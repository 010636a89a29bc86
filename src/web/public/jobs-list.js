/**
 * `/jobs?ids=a,b,c`: jobs started together (several links pasted at once), one card each, kept
 * current with one request for all of them (GET /api/jobs?ids=) until every one has ended, and
 * one ZIP of all their files. The address names the jobs, so the page survives a reload; the
 * links the server refused are shown only right after the submission (they made no job).
 */
import { api, asApiError } from './api.js';
import { announce, callout, h, icon } from './dom.js';
import { errorParagraphs } from './error-text.js';
import { shortUrl } from './format.js';
import { recent } from './recent.js';
import { jobPath } from './routes.js';
import { displayStatus, FINAL_STATUSES, statusBadge } from './status.js';

/** @typedef {import('../../jobs/types.ts').JobView} JobView */
/** @typedef {import('../../jobs/types.ts').BatchResult} BatchResult */

/** How often the list is read again while some job runs (a job's own page streams events instead). */
const REFRESH_MS = 2000;

/**
 * @param {HTMLElement} root
 * @param {URLSearchParams} params
 * @returns {() => void} stops refreshing
 */
export function renderJobsPage(root, params) {
  const ids = (params.get('ids') ?? '').split(',').filter((id) => id !== '');
  document.title = 'Conversions — ytconv';
  const heading = h('h1', { tabindex: '-1', class: 'jobs__title' }, `${ids.length} conversions`);
  const list = h('ul', { class: 'jobs__list', testid: 'jobs-list' });
  const zip = h(
    'a',
    {
      class: 'button button--primary',
      href: api.zipOfJobsUrl(ids),
      download: '',
      testid: 'download-all',
      hidden: true,
    },
    icon('archive'),
    'Download all (ZIP)',
  );
  const error = h('div', { class: 'form-error', role: 'alert', hidden: true });
  /** @type {BatchResult | undefined} */
  const batch = history.state?.batch;
  const nav = h(
    'div',
    { class: 'job__nav' },
    h('a', { href: '/', 'data-nav': true, class: 'back-link' }, icon('back'), 'New conversion'),
  );
  root.append(
    h('div', { class: 'jobs' }, nav, heading, refusedList(batch), error, list, h('div', { class: 'jobs__zip' }, zip)),
  );

  let timer = 0;
  let left = false;
  const refresh = () =>
    api.listJobs(ids).then(
      ({ jobs }) => {
        if (left) return;
        error.hidden = true;
        show(list, zip, jobs);
        // A reload draws the batch from the history entry first: let that be the latest views,
        // not the ones the submission answered with.
        if (batch) history.replaceState({ ...history.state, batch: { ...batch, jobs } }, '');
        if (jobs.some((job) => !FINAL_STATUSES.has(job.status))) timer = window.setTimeout(refresh, REFRESH_MS);
        else announce('Every conversion has ended.');
      },
      (caught) => {
        if (left) return;
        const err = asApiError(caught);
        error.hidden = false;
        error.replaceChildren(icon('alert'), h('div', {}, errorParagraphs(err.code, err.message)));
        timer = window.setTimeout(refresh, REFRESH_MS);
      },
    );
  if (batch) show(list, zip, batch.jobs);
  refresh();
  return () => {
    left = true;
    clearTimeout(timer);
  };
}

/**
 * @param {HTMLElement} list
 * @param {HTMLElement} zip
 * @param {JobView[]} jobs
 */
function show(list, zip, jobs) {
  for (const job of jobs) recent.update(job);
  list.replaceChildren(...jobs.map(jobCard));
  zip.hidden = !jobs.some((job) => job.files.length > 0);
}

/** @param {JobView} job */
function jobCard(job) {
  const running = job.status === 'running' && job.progress !== null;
  return h(
    'li',
    { class: 'card jobs__item', testid: 'jobs-item', 'data-status': job.status },
    h(
      'a',
      { class: 'jobs__link', href: jobPath(job.id), 'data-nav': true },
      job.title ?? shortUrl(job.source?.url ?? job.id),
    ),
    statusBadge(job.status, displayStatus(job)),
    running ? h('progress', { max: '1', value: String(job.progress), 'aria-label': 'Progress' }) : null,
    job.error ? h('p', { class: 'entry__error' }, job.error.message) : null,
  );
}

/** @param {BatchResult | undefined} batch */
function refusedList(batch) {
  if (!batch || batch.refused.length === 0) return null;
  const n = batch.refused.length;
  return callout(
    'error',
    'alert',
    `${n === 1 ? 'One link was' : `${n} links were`} not accepted`,
    h(
      'ul',
      { testid: 'refused' },
      batch.refused.map((r) => h('li', {}, h('code', {}, r.url), ': ', r.error.message)),
    ),
  );
}
