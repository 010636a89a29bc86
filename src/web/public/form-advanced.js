/** The form's advanced options: trim, chapters, loudness, playlist entries and the email address, folded away. */
import { h } from './dom.js';
import { checkbox, field } from './fields.js';

/**
 * @typedef {object} AdvancedValues
 * @property {string} start
 * @property {string} end
 * @property {boolean} split_chapters
 * @property {boolean} normalize
 * @property {string} email
 * @property {string} items
 */

/** @param {AdvancedValues} values */
export function renderAdvancedFields(values) {
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
  const items = h('input', {
    type: 'text',
    class: 'input',
    placeholder: '1-3,7,10-',
    autocomplete: 'off',
    value: values.items,
  });
  const anySet =
    values.start || values.end || values.split_chapters || values.normalize || values.email || values.items;
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
      field({
        id: 'items',
        label: 'Playlist entries',
        control: items,
        hint: 'Optional: which entries of a playlist, such as 1-3,7,10- or -5: (the last five). Empty for all.',
      }),
      field({
        id: 'email',
        label: 'Email me the link',
        control: email,
        hint: 'Optional. You get one message when it’s done or fails.',
      }),
    ),
  );
  return { el, start, end, splitChapters, normalize, email, items };
}
