/**
 * The job page, `/jobs/<id>`: a fixed frame filled in as the job moves on, followed live until it
 * ends. Its parts: progress.js (while it runs), result.js (its outcome), entries.js (a playlist).
 */
import { ApiError, api, asApiError } from './api.js';
import { catalog, formatSpec, qualityLabel } from './catalog.js';
import { copyLink } from './copy-link.js';
import { announce, callout, h, icon } from './dom.js';
import { renderEntries } from './entries.js';
import { ERROR_TEXT, errorParagraphs } from './error-text.js';
import { formatDuration, shortUrl, siteName, trimLabel } from './format.js';
import { buildProgress, phaseLabel, renderJobProgress } from './progress.js';
import { recent } from './recent.js';
import { resultContent } from './result.js';
import { render } from './router.js';
import { displayStatus, FINAL_STATUSES, isUpload, STATUS_LABELS, statusBadge } from './status.js';
import { watchJob } from './watch.js';

/** @typedef {import('../../jobs/types.ts').JobView} JobView */
/** @typedef {ReturnType<typeof buildJobView>} JobPage */

/**
 * Renders `/jobs/<id>` and follows the job live; returns the clean-up for leaving the page.
 * @param {HTMLElement} root
 * @param {string} id
 */
export function renderJobPage(root, id) {
  const view = buildJobView(id);
  root.append(view.el);
  document.title = 'Conversion — ytconv';
  let left = false;
  let stopWatching = () => {};
  /** @type {JobView | undefined} the job the form just created, handed over by navigate() */
  const handedOver = history.state?.job;
  if (handedOver?.id === id) updateJobView(view, handedOver);

  api
    .getJob(id)
    .then((job) => {
      if (left) return;
      updateJobView(view, job);
      if (FINAL_STATUSES.has(job.status)) return;
      stopWatching = watchJob(id, {
        onJob: (next) => updateJobView(view, next),
        onConnection: (ok) => {
          view.connection.hidden = ok;
        },
        onGone: (err) => showJobMissing(view, err),
      });
    })
    .catch((err) => {
      if (!left) showJobMissing(view, asApiError(err));
    });

  return () => {
    left = true;
    stopWatching();
  };
}

/**
 * The page's fixed frame; later updates only fill it in, so focus and layout stay put.
 * @param {string} id
 */
function buildJobView(id) {
  const copy = h(
    'button',
    { type: 'button', class: 'button button--secondary button--small' },
    icon('link'),
    'Copy link',
  );
  copy.addEventListener('click', () => copyLink(copy));
  const thumb = h('div', { class: 'thumb is-loading' }, h('span', { class: 'thumb__placeholder' }, icon('music')));
  const title = h(
    'h1',
    { class: 'job__title is-loading', id: 'job-title', tabindex: '-1', testid: 'job-title' },
    'Loading…',
  );
  const meta = h('p', { class: 'job__meta' });
  const status = h('div', { class: 'job__status' });
  const connection = h('span', { class: 'connection', hidden: true }, 'Reconnecting…');
  const progress = buildProgress((cancel) => cancelJob(view, cancel));
  const result = h('div', { class: 'job__result' });
  const entries = h('section', { class: 'card entries', 'aria-label': 'Playlist entries', hidden: true });
  const heading = h(
    'div',
    { class: 'job__heading' },
    title,
    meta,
    h('div', { class: 'job__badges' }, status, connection),
  );
  const card = h(
    'article',
    { class: 'card job__card', 'aria-labelledby': 'job-title' },
    h('header', { class: 'job__header' }, thumb, heading),
    progress.el,
    result,
  );
  const nav = h(
    'div',
    { class: 'job__nav' },
    h('a', { href: '/', 'data-nav': true, class: 'back-link' }, icon('back'), 'New conversion'),
    copy,
  );
  const el = h('div', { class: 'job' }, nav, card, entries);
  const job = /** @type {JobView | null} */ (null);
  const view = { id, job, el, card, copy, thumb, title, meta, status, connection, progress, result, entries };
  return view;
}

/**
 * @param {JobPage} view
 * @param {JobView} job
 */
function updateJobView(view, job) {
  const previous = view.job;
  view.job = job;
  renderJobHeader(view, job);
  renderJobProgress(view.progress, job);
  renderJobResult(view, job, previous);
  renderEntries(view.entries, job);
  announceChange(previous, job);
  recent.update(job);
  document.title = `${pageTitlePrefix(job)}${job.title ?? 'Conversion'} — ytconv`;
}

/** @param {JobView} job */
function pageTitlePrefix(job) {
  if (job.status === 'running' && job.progress !== null) return `${Math.floor(job.progress * 100)}% · `;
  if (job.status === 'done') return '✓ ';
  if (job.status === 'failed') return 'Failed · ';
  return '';
}

/**
 * @param {JobPage} view
 * @param {JobView} job
 */
function renderJobHeader(view, job) {
  renderThumbnail(view.thumb, job);
  // Until the title is known, the link (or the uploaded file's name) stands in for it.
  const title = job.title ?? shortUrl(job.source?.url ?? 'Conversion');
  if (view.title.textContent !== title) view.title.textContent = title;
  view.title.classList.remove('is-loading');
  view.title.classList.toggle('is-placeholder', job.title === null);
  // Rebuilt only when it changes: progress events arrive several times a second, and replacing
  // the source link each time would take keyboard focus away from it.
  const metaKey = JSON.stringify([job.duration, job.options, job.source]);
  if (view.meta.dataset.key !== metaKey) {
    view.meta.dataset.key = metaKey;
    view.meta.replaceChildren(...jobMeta(job));
  }
  const label = displayStatus(job);
  if (view.status.firstChild?.textContent !== STATUS_LABELS[label]) {
    view.status.replaceChildren(statusBadge(job.status, label, 'job-status'));
  }
}

/**
 * The cover ytconv serves itself (never `job.thumbnail`, the video site's: the viewer's browser
 * contacts only us). Until there is one, the placeholder note shows.
 * @param {HTMLElement} thumb
 * @param {JobView} job
 */
function renderThumbnail(thumb, job) {
  thumb.classList.toggle('is-loading', !job.cover && !FINAL_STATUSES.has(job.status) && job.title === null);
  if (!job.cover) {
    // The job shows no cover any more (it ended without files, or they expired).
    delete thumb.dataset.src;
    thumb.querySelector('img')?.remove();
    return;
  }
  // Each cover URL is tried once: one that failed to load is not asked for again on every update.
  if (thumb.dataset.src === job.cover) return;
  thumb.dataset.src = job.cover;
  const next = h('img', { src: job.cover, alt: '', decoding: 'async', testid: 'cover' });
  // A cover the browser can't load leaves the placeholder note showing instead of a broken image.
  next.addEventListener('error', () => next.remove());
  thumb.querySelector('img')?.remove();
  thumb.append(next);
}

/**
 * The line under the title: length, format and quality, trim, options, and the source's site.
 * @param {JobView} job
 */
function jobMeta(job) {
  const options = job.options;
  const parts = [];
  if (job.duration) parts.push(h('span', {}, icon('clock'), formatDuration(job.duration)));
  if (options.format) {
    const spec = formatSpec(options.format);
    // "Original" may have meant an encode (the source was another codec): the files say what came out.
    const chosen = options.quality !== catalog?.default_quality && !spec?.lossless;
    const quality = chosen && options.quality ? qualityLabel(spec, options.quality) : null;
    parts.push(h('span', {}, [options.format.toUpperCase(), quality].filter(Boolean).join(' · ')));
  }
  if (options.start !== null || options.end !== null) parts.push(h('span', {}, trimLabel(options)));
  for (const flag of catalog?.flags ?? []) if (options[flag.id]) parts.push(h('span', {}, flag.summary));
  if (options.sponsorblock === 'remove') parts.push(h('span', {}, 'SponsorBlock segments removed'));
  if (options.sponsorblock === 'mark') parts.push(h('span', {}, 'SponsorBlock segments marked'));
  if (job.source?.url && !isUpload(job)) {
    parts.push(
      h('a', { href: job.source.url, target: '_blank', rel: 'noopener noreferrer' }, siteName(job.source.site)),
    );
  }
  return parts;
}

/**
 * The outcome area; rebuilt only when the outcome changes, so a focused button isn't replaced.
 * @param {JobPage} view
 * @param {JobView} job
 * @param {JobView | null} previous
 */
function renderJobResult(view, job, previous) {
  const key = `${job.status}|${job.expired}|${job.files?.length ?? 0}|${job.error?.code ?? ''}`;
  if (view.result.dataset.key === key) return;
  view.result.dataset.key = key;
  view.result.replaceChildren(resultContent(job) ?? '');
  // The cancel button disappears when a job ends; keep keyboard focus inside the page.
  const focusWasLost = document.activeElement === document.body || document.activeElement === view.progress.cancel;
  if (previous && FINAL_STATUSES.has(job.status) && focusWasLost) {
    view.result.querySelector('h2')?.focus({ preventScroll: true });
  }
}

/**
 * Tells screen-reader users what changed: each status, each new phase, never each percent.
 * @param {JobView | null} previous
 * @param {JobView} job
 */
function announceChange(previous, job) {
  if (previous?.status === job.status && previous?.phase === job.phase) return;
  if (job.status === 'running') announce(phaseLabel(job));
  else if (job.status === 'done' && !job.expired) {
    const count = job.files?.length ?? 0;
    announce(`Conversion finished. ${count === 1 ? 'Your file is' : `${count} files are`} ready to download.`);
  } else if (job.status === 'failed') announce(`Conversion failed. ${(job.error && ERROR_TEXT[job.error.code]) ?? ''}`);
  else if (job.status === 'cancelled') announce('Conversion cancelled.');
  else if (job.status === 'queued') announce(`${phaseLabel(job)}.`);
}

/**
 * @param {JobPage} view
 * @param {HTMLButtonElement} button
 */
async function cancelJob(view, button) {
  button.disabled = true;
  try {
    updateJobView(view, await api.cancelJob(view.id));
  } catch (err) {
    // Most likely the job just finished on its own; show its real state.
    announce(ERROR_TEXT[asApiError(err).code] ?? 'The job could not be cancelled.');
    api.getJob(view.id).then(
      (job) => updateJobView(view, job),
      () => {},
    );
  } finally {
    button.disabled = false;
  }
}

/**
 * The job can't be loaded: gone (404), or the server is unreachable, which a reload may fix.
 * @param {JobPage} view
 * @param {ApiError} err
 */
function showJobMissing(view, err) {
  const gone = err.status === 404;
  view.copy.hidden = true;
  view.entries.hidden = true;
  const action = gone
    ? h('a', { class: 'button button--secondary', href: '/', 'data-nav': true }, 'Start a new conversion')
    : h('button', { type: 'button', class: 'button button--secondary', onclick: render }, icon('retry'), 'Try again');
  view.card.replaceChildren(
    callout(
      'neutral',
      'alert',
      gone ? 'Conversion not found' : 'This conversion can’t be shown right now',
      [errorParagraphs(err.code, err.message), action],
      'error',
      'h1',
    ),
  );
  view.card.classList.add('job__card--message');
  if (gone) recent.remove(view.id);
  document.title = `${gone ? 'Not found' : 'Unavailable'} — ytconv`;
}
