/** The home page: the conversion form (built from the catalog) and this browser's recent list. */
import { catalog } from './catalog.js';
import { h, icon } from './dom.js';
import { ERROR_TEXT } from './error-text.js';
import { renderAdvancedFields } from './form-advanced.js';
import { renderEntryPicker } from './form-entries.js';
import { renderFormatFields } from './form-quality.js';
import { renderSourceFields } from './form-source.js';
import { renderSubmitRow, submitConversion } from './form-submit.js';
import { refreshRecentStatuses, renderRecentSection } from './recent-list.js';
import { bookmarklet, sharedLink } from './shared-link.js';
import { readPrefs } from './storage.js';

/** @typedef {import('../../options.ts').Catalog} Catalog */

/**
 * @param {HTMLElement} root
 * @param {URLSearchParams} params
 */
export function renderHomePage(root, params) {
  document.title = 'ytconv — video links to tagged audio';
  const recentSection = renderRecentSection();
  const form = catalog ? renderConvertForm(catalog, initialValues(catalog, params)) : renderCatalogMissing();
  root.append(renderIntro(), form, recentSection, renderBookmarklet());
  refreshRecentStatuses(recentSection);
  if (form instanceof HTMLFormElement && sharedLink(params).go) {
    // Started once: a reload or Back must not start it again.
    params.delete('go');
    history.replaceState(history.state, '', params.size > 0 ? `/?${params}` : '/');
    form.requestSubmit();
  }
}

/** A link to drag to the bookmarks bar: it opens this page with the tab's address, started. */
function renderBookmarklet() {
  return h(
    'p',
    { class: 'bookmarklet' },
    'Drag ',
    h('a', { href: bookmarklet(location.origin), testid: 'bookmarklet' }, 'Convert with ytconv'),
    ' to your bookmarks bar, then click it on any video page to convert that video here.',
  );
}

function renderIntro() {
  return h(
    'div',
    { class: 'intro' },
    h('h1', { tabindex: '-1' }, 'Turn a video into tagged audio'),
    h(
      'p',
      { class: 'intro__lead' },
      'Paste a YouTube link or playlist, or upload a media file. You get MP3, M4A, Opus, Ogg, FLAC or WAV with title, artist, cover art and chapters.',
    ),
  );
}

/**
 * Form values from "Convert again" links (`/?url=…&format=…`), a bookmarklet or a share
 * (shared-link.js), else the last format used.
 * @param {Catalog} catalog
 * @param {URLSearchParams} params
 */
function initialValues(catalog, params) {
  const prefs = readPrefs();
  const format = params.get('format') ?? prefs.format;
  const known = catalog.formats.some((f) => f.id === format);
  return {
    url: sharedLink(params).url,
    format: known && format ? format : catalog.default_format,
    quality: params.get('quality') ?? (params.has('format') ? null : prefs.quality),
    start: params.get('start') ?? '',
    end: params.get('end') ?? '',
    flags: Object.fromEntries(catalog.flags.map((f) => [f.id, params.get(f.id) === '1'])),
    sponsorblock: params.get('sponsorblock') ?? 'off',
    email: params.get('email') ?? '',
    items: params.get('items') ?? '',
  };
}

/**
 * @param {Catalog} catalog
 * @param {ReturnType<typeof initialValues>} values
 */
function renderConvertForm(catalog, values) {
  /** @type {import('./form-quality.js').FormState} */
  const state = { file: null };
  const form = h('form', { class: 'card convert', novalidate: true, 'aria-label': 'New conversion' });
  // The quality's plan and the entry picker depend on the chosen file; both exist by the time one is chosen.
  const source = renderSourceFields(catalog.limits, state, values, () => {
    format.refreshPlan();
    entries.refresh();
  });
  const format = renderFormatFields(catalog, values, state);
  const advanced = renderAdvancedFields(catalog.flags, values, catalog.sponsorblock);
  const entries = renderEntryPicker(source.url, advanced.items);
  const footer = renderSubmitRow();
  form.append(source.el, format.el, advanced.el, footer.el);
  // Right under the link it lists the entries of.
  source.url.parentElement?.after(entries.el);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submitConversion({ state, source, format, advanced, entries, footer });
  });
  return form;
}

/** Without the catalog there is no form to build: say why, and offer to try again. */
function renderCatalogMissing() {
  return h(
    'div',
    { class: 'card convert form-error', role: 'alert', testid: 'catalog-missing' },
    icon('alert'),
    h('div', {}, h('p', { class: 'error-text' }, ERROR_TEXT.offline)),
    h('button', { type: 'button', class: 'button', onclick: () => location.reload() }, 'Try again'),
  );
}
