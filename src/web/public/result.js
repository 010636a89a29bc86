/** A finished job's outcome: its downloads, or why there are none and how to try again. */
import { api } from './api.js';
import { formatBytes } from './bytes.js';
import { catalog } from './catalog.js';
import { callout, h, icon } from './dom.js';
import { errorParagraphs } from './error-text.js';
import { sponsorBlockNote } from './form-sponsorblock.js';
import { formatAudio, formatDateTime, formatDuration, trimValue } from './format.js';
import { isUpload } from './status.js';

/** @typedef {import('../../jobs/types.ts').JobView} JobView */
/** @typedef {import('../../jobs/types.ts').JobFileView} JobFileView */

/**
 * What the outcome area shows for the job's status; null while it runs.
 * @param {JobView} job
 */
export function resultContent(job) {
  if (job.status === 'done' && job.expired) {
    return callout('neutral', 'clock', 'The files of this conversion have expired', [
      h('p', {}, 'Converted files are kept for a limited time. You can convert it again with the same settings.'),
      convertAgainLink(job),
    ]);
  }
  if (job.status === 'done') return renderDownloads(job);
  if (job.status === 'failed') {
    return callout(
      'error',
      'alert',
      'The conversion failed',
      [errorParagraphs(job.error?.code, job.error?.message), keptNote(job), convertAgainLink(job, 'Try again')],
      'error',
    );
  }
  if (job.status === 'cancelled') {
    return callout('neutral', 'stop', 'This conversion was cancelled', [
      keptNote(job) ?? h('p', {}, 'Nothing was kept. You can start it again with the same settings.'),
      convertAgainLink(job),
    ]);
  }
  return null;
}

/**
 * What a playlist that stopped early kept: its finished entries, downloadable below and as a ZIP.
 * @param {JobView} job
 */
function keptNote(job) {
  const files = job.expired ? [] : (job.files ?? []);
  if (files.length === 0) return null;
  const entries = job.entries ?? [];
  const done = entries.filter((entry) => entry.status === 'done').length;
  const what = `${done} of ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}`;
  return h(
    'div',
    { class: 'kept', testid: 'kept' },
    h(
      'p',
      {},
      `${what} finished before it stopped ${done === 1 ? 'is kept: download it' : 'are kept: download them'} below.`,
    ),
    expiryNote(job),
    files.length > 1 ? zipLink(job) : null,
  );
}

/** @param {JobView} job */
function zipLink(job) {
  return h(
    'a',
    { class: 'button button--primary button--large', href: api.zipUrl(job.id), download: true, testid: 'download-all' },
    icon('archive'),
    'Download all (ZIP)',
  );
}

/**
 * The home page's address filled in with this job's link and options (uploads must be chosen again).
 * @param {Pick<JobView, 'source' | 'options'>} job
 */
export function convertAgainHref(job) {
  const params = new URLSearchParams();
  if (job.source?.url && !isUpload(job)) params.set('url', job.source.url);
  const options = job.options ?? {};
  if (options.format) params.set('format', options.format);
  if (options.quality) params.set('quality', options.quality);
  if (options.start !== null && options.start !== undefined) params.set('start', trimValue(options.start));
  if (options.end !== null && options.end !== undefined) params.set('end', trimValue(options.end));
  // The on/off options are the job's only boolean ones.
  for (const [flag, on] of Object.entries(options)) if (on === true) params.set(flag, '1');
  if (options.sponsorblock && options.sponsorblock !== 'off') params.set('sponsorblock', options.sponsorblock);
  const query = params.toString();
  return query ? `/?${query}` : '/';
}

/**
 * Back to the form, filled in with this job's link and options.
 * @param {JobView} job
 */
function convertAgainLink(job, label = 'Convert again') {
  return h(
    'a',
    { class: 'button button--secondary', href: convertAgainHref(job), 'data-nav': true },
    icon('retry'),
    isUpload(job) ? 'Convert another file' : label,
  );
}

/** @param {JobView} job */
function renderDownloads(job) {
  const files = job.files ?? [];
  // A playlist's files are shown with their entries, whatever the outcome.
  const inEntries = (job.entries ?? []).length > 0;
  const heading =
    files.length === 0
      ? 'Finished, but no audio came out'
      : files.length === 1
        ? 'Your audio is ready'
        : `${files.length} files are ready`;
  return h(
    'section',
    { class: 'downloads' },
    h(
      'div',
      { class: 'downloads__head' },
      h('span', { class: 'downloads__check' }, icon('check')),
      h('div', {}, h('h2', { tabindex: '-1' }, heading), expiryNote(job)),
    ),
    files.length > 1 ? zipLink(job) : null,
    inEntries
      ? null
      : h(
          'ul',
          { class: 'files' },
          files.map((file) => renderFileRow(file, files.length === 1)),
        ),
  );
}

/** @param {JobView} job */
function expiryNote(job) {
  if (!job.expires_at) return null;
  return h('p', { class: 'muted' }, `Available until ${formatDateTime(job.expires_at)}`);
}

/**
 * @param {JobFileView} file
 * @param {boolean} prominent the job's only file
 */
function renderFileRow(file, prominent) {
  const details = [
    formatBytes(file.size),
    file.duration ? formatDuration(file.duration) : null,
    formatAudio(file.format, file.bitrate),
  ];
  return h(
    'li',
    { class: `file${prominent ? ' file--single' : ''}` },
    h('span', { class: 'file__icon' }, icon('music')),
    h(
      'span',
      { class: 'file__text' },
      h('span', { class: 'file__name' }, file.name),
      h('span', { class: 'file__meta' }, details.filter(Boolean).join(' · ')),
      file.truncated
        ? h(
            'span',
            { class: 'file__warning', testid: 'truncated' },
            `The file ended at ${formatDuration(file.truncated.at)} of ${formatDuration(file.truncated.of)}: `,
            'this is all the audio it had.',
          )
        : null,
      file.unsplit
        ? h(
            'span',
            { class: 'file__warning', testid: 'unsplit' },
            'Not split: the media has no chapters, so this is all of it in one file.',
          )
        : null,
      sponsorBlockLine(file),
    ),
    downloadLink(file, prominent),
  );
}

/** @param {JobFileView} file */
function sponsorBlockLine(file) {
  const note = sponsorBlockNote(file.sponsorblock, catalog?.sponsorblock);
  if (note === null) return null;
  const skipped = file.sponsorblock !== null && 'skipped' in file.sponsorblock;
  return h('span', { class: skipped ? 'file__warning' : 'file__meta', testid: 'sponsorblock' }, note);
}

/**
 * @param {JobFileView} file
 * @param {boolean} prominent
 */
export function downloadLink(file, prominent) {
  return h(
    'a',
    {
      class: `button ${prominent ? 'button--primary button--large' : 'button--secondary'}`,
      href: file.url,
      download: file.name,
      testid: 'download',
      'aria-label': `Download ${file.name}`,
    },
    icon('download'),
    h('span', {}, 'Download'),
  );
}
