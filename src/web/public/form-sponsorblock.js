/** The form's SponsorBlock fields: what to do with a YouTube video's segments, and which categories. */
import { h } from './dom.js';
import { field } from './fields.js';

/** @typedef {import('../../options.ts').Catalog['sponsorblock']} SponsorBlockCatalog */
/** @typedef {import('./api.js').JobFields} JobFields */

const ACTIONS = [
  ['off', 'Leave them in'],
  ['remove', 'Remove them'],
  ['mark', 'Mark them as chapters'],
];

/**
 * @param {SponsorBlockCatalog} sponsorblock
 * @param {string} chosen the action to show selected
 */
export function renderSponsorBlockFields(sponsorblock, chosen) {
  const action = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { class: 'input' },
      ACTIONS.map(([value, label]) => h('option', { value, selected: value === chosen }, label)),
    )
  );
  const boxes = sponsorblock.categories.map((c) => {
    const input = /** @type {HTMLInputElement} */ (
      h('input', {
        type: 'checkbox',
        value: c.id,
        checked: sponsorblock.default_categories.includes(c.id),
        testid: `sponsorblock-${c.id}`,
      })
    );
    return { input, el: h('label', { class: 'check' }, input, h('span', { class: 'check__label' }, c.label)) };
  });
  const categories = h(
    'fieldset',
    { class: 'advanced__sponsorblock', hidden: chosen === 'off' },
    h('legend', { class: 'field__label' }, 'Which segments'),
    boxes.map((b) => b.el),
  );
  action.addEventListener('change', () => {
    categories.hidden = action.value === 'off';
  });
  const el = h(
    'div',
    {},
    field({
      id: 'sponsorblock',
      label: 'SponsorBlock segments (YouTube)',
      control: action,
      hint: 'Sponsor reads, self-promotion, intros… as people marked them on sponsor.ajay.app.',
    }),
    categories,
  );
  /** @param {JobFields} fields */
  const read = (fields) => {
    fields.sponsorblock = /** @type {JobFields['sponsorblock']} */ (action.value);
    if (action.value !== 'off') {
      fields.sponsorblock_categories = boxes
        .filter((b) => b.input.checked)
        .map((b) => b.input.value)
        .join(',');
    }
  };
  return { el, action, read };
}

/**
 * What SponsorBlock did for a file, in a sentence; null when it was not asked for.
 * @param {import('../../jobs/types.ts').JobFileView['sponsorblock']} outcome
 * @param {SponsorBlockCatalog | undefined} sponsorblock
 */
export function sponsorBlockNote(outcome, sponsorblock) {
  if (!outcome) return null;
  if ('skipped' in outcome) return sponsorblock?.skipped[outcome.skipped] ?? 'SponsorBlock could not be applied.';
  const n = outcome.segments.length;
  if (n === 0) return 'SponsorBlock knows no segments in this video.';
  const seconds = outcome.segments.reduce((sum, s) => sum + s.end - s.start, 0);
  const what = `${n} SponsorBlock segment${n === 1 ? '' : 's'}`;
  return outcome.action === 'remove' ? `${what} removed (${seconds.toFixed(1)} s).` : `${what} marked as chapters.`;
}
