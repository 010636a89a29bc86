/** A playlist's entries on the job page, one row each, updated in place as the job runs. */

import { formatBytes } from './bytes.js';
import { h } from './dom.js';
import { entryErrorText } from './error-text.js';
import { formatDuration } from './format.js';
import { downloadLink } from './result.js';
import { statusBadge } from './status.js';

/** @typedef {import('../../jobs/types.ts').JobView} JobView */
/** @typedef {import('../../jobs/types.ts').EntryView} EntryView */
/** @typedef {import('../../jobs/types.ts').JobFileView} JobFileView */

/**
 * @param {HTMLElement} section
 * @param {JobView} job
 */
export function renderEntries(section, job) {
  const entries = job.entries ?? [];
  section.hidden = entries.length === 0;
  if (entries.length === 0) return;
  let list = section.querySelector('ol');
  if (!list || list.children.length !== entries.length) {
    list = h(
      'ol',
      { class: 'entries__list' },
      entries.map(() => h('li', { class: 'entry', testid: 'entry' })),
    );
    section.replaceChildren(
      h('div', { class: 'section-head' }, h('h2', {}, 'Playlist'), h('span', { class: 'entries__count' })),
      list,
    );
  }
  const count = section.querySelector('.entries__count');
  if (count) count.textContent = entriesCount(entries);
  const rows = list.children;
  entries.forEach((entry, i) => {
    const row = rows[i];
    if (row instanceof HTMLElement) renderEntry(row, entry, i, job);
  });
}

/**
 * `2 of 5 done · 1 failed · 1 cancelled · 1 skipped`: every outcome counted the same way.
 * @param {Pick<EntryView, 'status'>[]} entries
 */
export function entriesCount(entries) {
  /** @param {EntryView['status']} status */
  const count = (status) => entries.filter((entry) => entry.status === status).length;
  /** @type {EntryView['status'][]} */
  const others = ['failed', 'cancelled', 'skipped'];
  const counted = others.filter((status) => count(status) > 0).map((s) => `${count(s)} ${s}`);
  return [`${count('done')} of ${entries.length} done`, ...counted].join(' · ');
}

/**
 * One playlist row; its DOM is replaced only when what it shows changed.
 * @param {HTMLElement} row
 * @param {EntryView} entry
 * @param {number} index
 * @param {JobView} job
 */
function renderEntry(row, entry, index, job) {
  const files = entry.files ?? [];
  const progress = entry.status === 'running' && entry.progress !== null ? Math.floor(entry.progress * 100) : null;
  const key = JSON.stringify([
    entry.title,
    entry.status,
    progress,
    entry.error?.message,
    files.map((f) => f.url),
    job.expired,
  ]);
  if (row.dataset.key === key) return;
  row.dataset.key = key;
  row.className = `entry entry--${entry.status}`;
  row.dataset.status = entry.status;
  const bar =
    entry.status === 'running'
      ? h('progress', {
          class: 'bar bar--small',
          max: '100',
          value: progress,
          'aria-label': `${entry.title ?? 'Entry'} progress`,
        })
      : null;
  const error = entry.status === 'failed' ? h('p', { class: 'entry__error' }, entryErrorText(entry)) : null;
  row.replaceChildren(
    h('span', { class: 'entry__index' }, String(index + 1)),
    h(
      'div',
      { class: 'entry__main' },
      h('span', { class: 'entry__title' }, entry.title ?? `Video ${index + 1}`),
      files.length > 0 ? h('span', { class: 'entry__meta' }, files.map(fileSummary).join(', ')) : null,
      bar,
      error,
    ),
    h('div', { class: 'entry__side' }, entrySide(entry, files, job, progress)),
  );
}

/**
 * A row's right side: its downloads when ready, its percentage while running, else its status.
 * @param {EntryView} entry
 * @param {JobFileView[]} files
 * @param {JobView} job
 * @param {number | null} progress
 */
function entrySide(entry, files, job, progress) {
  if (files.length > 0 && !job.expired) return files.map((file) => downloadLink(file, false));
  if (progress !== null) return h('span', { class: 'entry__percent' }, `${progress}%`);
  return statusBadge(entry.status);
}

/** @param {JobFileView} file */
function fileSummary(file) {
  return [formatBytes(file.size), file.duration ? formatDuration(file.duration) : null].filter(Boolean).join(' · ');
}
