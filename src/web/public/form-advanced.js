/** The form's advanced options: trim, chapters, loudness and the email address, folded away. */
import { h } from './dom.js';
import { checkbox, field } from './fields.js';
import { renderSponsorBlockFields } from './form-sponsorblock.js';

/**
 * @typedef {object} AdvancedValues
 * @property {string} start
 * @property {string} end
 * @property {boolean} split_chapters
 * @property {boolean} normalize
 * @property {string} sponsorblock
 * @property {string} email
 */

/**
 * @param {AdvancedValues} values
 * @param {import('../../options.ts').Catalog['sponsorblock']} sponsorblockCatalog
 */
export function renderAdvancedFields(values, sponsorblockCatalog) {
  const sponsorblock = renderSponsorBlockFields(sponsorblockCatalog, values.sponsorblock);
  const start = h('input', {
    type: 'text',
    class: 'input',
    placeholder: '0:00',
    autocomplete: 'off',
    value: values.start,
  });
  const end = h('input', { type: 'text', class: 'input', placeholder: 'end', autocomplete: 'off', value: values.end });
  const splitChapters = h('input', { type: 'checkbox', checked: values.split_chapters });
  const normalize = h('input', { type: 'checkbox', checked: values.normalize });
  const email = h('input', {
    type: 'email',
    class: 'input',
    autocomplete: 'email',
    placeholder: 'you@example.com',
    value: values.email,
  });
  const anySet =
    values.start ||
    values.end ||
    values.split_chapters ||
    values.normalize ||
    values.sponsorblock !== 'off' ||
    values.email;
  const el = h(
    'details',
    { class: 'advanced', open: Boolean(anySet) },
    h('summary', {}, 'Advanced options'),
    h(
      'div',
      { class: 'advanced__body' },
      h(
        'fieldset',
        { class: 'advanced__trim', 'aria-describedby': 'trim-hint' },
        h('legend', { class: 'field__label' }, 'Trim'),
        field({ id: 'start', label: 'Start', control: start }),
        field({ id: 'end', label: 'End', control: end }),
        h(
          'p',
          { class: 'field__hint advanced__trim-hint', id: 'trim-hint' },
          'Seconds (90) or h:mm:ss (1:30). Leave empty for all.',
        ),
      ),
      checkbox('split-chapters', splitChapters, 'Split by chapters', 'One file per chapter, when the video has them.'),
      checkbox('normalize', normalize, 'Normalize loudness (−14 LUFS)', 'Evens out quiet and loud sources.'),
      sponsorblock.el,
      field({
        id: 'email',
        label: 'Email me the link',
        control: email,
        hint: 'Optional. You get one message when it’s done or fails.',
      }),
    ),
  );
  return { el, start, end, splitChapters, normalize, sponsorblock, email };
}
