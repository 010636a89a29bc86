/** A running job's progress: its steps, the phase in words, percent, time left and Cancel. */
import { h, icon } from './dom.js';
import { formatDateTime, formatEta } from './format.js';
import { FINAL_STATUSES, isUpload } from './status.js';

/** @typedef {import('../../jobs/types.ts').JobView} JobView */

// Tags, chapters and cover are written by the encode itself: the 'tagging' phase the API still
// names is the moment the files are put in place, not a step of its own (see stepOf).
const PHASES = [
  { id: 'probing', label: 'Reading video info', step: 'Reading info' },
  { id: 'downloading', label: 'Downloading', step: 'Downloading' },
  { id: 'converting', label: 'Converting', step: 'Converting' },
];

/**
 * The current step's index; past the last one while the files are put in place.
 * @param {JobView['phase']} phase
 */
function stepOf(phase) {
  return phase === 'tagging' ? PHASES.length : PHASES.findIndex((p) => p.id === phase);
}

/** @param {(cancel: HTMLButtonElement) => void} onCancel */
export function buildProgress(onCancel) {
  const steps = PHASES.map((phase) =>
    h('li', { class: 'step' }, h('span', { class: 'step__dot' }), h('span', { class: 'step__label' }, phase.step)),
  );
  const phase = h('span', { class: 'progress__phase', id: 'phase', testid: 'phase' }, 'Waiting');
  const percent = h('span', { class: 'progress__percent', testid: 'percent' });
  const eta = h('span', { class: 'progress__eta', testid: 'eta' });
  const bar = h('progress', { class: 'bar', max: '1', testid: 'progress', 'aria-labelledby': 'phase' });
  // Why a queued job waits for its video site (the API's own sentence), and until when.
  const waiting = h('p', { class: 'progress__waiting', testid: 'waiting', hidden: true });
  const cancel = h(
    'button',
    { type: 'button', class: 'button button--secondary button--danger', testid: 'cancel' },
    icon('stop'),
    'Cancel',
  );
  cancel.addEventListener('click', () => onCancel(cancel));
  const el = h(
    'section',
    { class: 'progress', 'aria-label': 'Progress', hidden: true },
    h('ol', { class: 'steps', 'aria-label': 'Steps' }, steps),
    h('div', { class: 'progress__line' }, phase, h('span', { class: 'progress__numbers' }, percent, eta)),
    bar,
    waiting,
    h('div', { class: 'progress__actions' }, cancel),
  );
  return { el, steps, phase, percent, eta, bar, waiting, cancel };
}

/**
 * @param {ReturnType<typeof buildProgress>} progress
 * @param {JobView} job
 */
export function renderJobProgress(progress, job) {
  const active = !FINAL_STATUSES.has(job.status);
  progress.el.hidden = !active;
  if (!active) return;
  const current = job.status === 'running' ? stepOf(job.phase) : -1;
  // A retake catching up redoes steps already shown as passed: they stay shown so, like the bar.
  const resuming = job.status === 'running' && job.phase === 'resuming';
  progress.steps.forEach((step, i) => {
    if (resuming) return;
    // An upload is already here: there is nothing to download.
    step.hidden = PHASES[i]?.id === 'downloading' && isUpload(job);
    step.className = `step${i < current ? ' step--done' : ''}${i === current ? ' step--current' : ''}`;
    if (i === current) step.setAttribute('aria-current', 'step');
    else step.removeAttribute('aria-current');
  });
  progress.phase.textContent = phaseLabel(job);
  renderWaiting(progress.waiting, job.waiting);
  const fraction = job.status === 'running' ? job.progress : null;
  const percent = fraction === null ? '' : `${Math.floor(fraction * 100)}%`;
  const eta = job.status === 'running' && job.eta !== null && job.eta > 0 ? formatEta(job.eta) : '';
  progress.percent.textContent = percent;
  progress.eta.textContent = eta;
  // No value means "indeterminate": the bar shows activity without claiming a number.
  if (fraction === null) progress.bar.removeAttribute('value');
  else progress.bar.value = fraction;
  const valueText = [percent, eta].filter(Boolean).join(', ');
  if (valueText) progress.bar.setAttribute('aria-valuetext', valueText);
  else progress.bar.removeAttribute('aria-valuetext');
  progress.cancel.hidden = false;
}

/**
 * @param {HTMLElement} el
 * @param {JobView['waiting']} waiting
 */
function renderWaiting(el, waiting) {
  el.hidden = waiting === null;
  const text = waiting && [
    waiting.message,
    waiting.until && `Expected to start again ${formatDateTime(waiting.until)}.`,
  ];
  el.textContent = text ? text.filter(Boolean).join(' ') : '';
}

/**
 * "Converting · 2 of 5": the phase in words, and a playlist's position.
 * @param {Pick<JobView, 'status' | 'phase' | 'source' | 'entries'> & Partial<Pick<JobView, 'waiting'>>} job
 */
export function phaseLabel(job) {
  if (job.status === 'queued') return job.waiting ? 'Waiting for the video site' : 'Waiting for a free worker';
  const phase = PHASES.find((p) => p.id === job.phase);
  if (job.phase === 'resuming') return 'Resuming after an interruption';
  if (job.phase === 'tagging') return 'Finishing';
  if (!phase) return 'Starting';
  const label = phase.id === 'probing' && isUpload(job) ? 'Reading file info' : phase.label;
  const entries = job.entries ?? [];
  const position = entries.findIndex((entry) => entry.status === 'running');
  return position === -1 ? label : `${label} · ${position + 1} of ${entries.length}`;
}
