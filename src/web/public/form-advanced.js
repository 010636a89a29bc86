/** The form's advanced options: trim, the catalog's on/off options, playlist entries and the email address, folded away. */
import { h } from './dom.js';
import { checkbox, field } from './fields.js';
import { renderSponsorBlockFields } from './form-sponsorblock.js';

/**
 * @typedef {object} AdvancedValues
 * @property {string} start
 * @property {string} end
 * @property {Partial<Record<FlagChoice['id'], boolean>>} flags
 * @property {string} sponsorblock
 * @property {string} email
 * @property {string} items
 */

/** @typedef {import('../../options.ts').FlagChoice} FlagChoice */

/**
 * @param {FlagChoice[]} choices
 * @param {AdvancedValues} values
 * @param {import('../../options.ts').Catalog['sponsorblock']} sponsorblockCatalog
 */
export function renderAdvancedFields(choices, values, sponsorblockCatalog) {
  const sponsorblock = renderSponsorBlockFields(sponsorblockCatalog, values.sponsorblock);
  const start = h('input', {
    type: 'text',
    class: 'input',
    placeholder: '0:00',
    autocomplete: 'off',
    value: values.start,
  });
  const end = h('input', { type: 'text', class: 'input', placeholder: 'end', autocomplete: 'off', value: values.end });
  const flags = renderFlags(choices, values.flags);
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
    values.start ||
    values.end ||
    Object.values(values.flags).some(Boolean) ||
    values.sponsorblock !== 'off' ||
    values.email ||
    values.items;
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
      ...flags.el,
      sponsorblock.el,
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
  return { el, start, end, flags: flags.inputs, sponsorblock, email, items };
}

/**
 * A checkbox per on/off option; checking one unchecks those it cannot go with.
 * @param {FlagChoice[]} choices
 * @param {AdvancedValues['flags']} values
 */
function renderFlags(choices, values) {
  /** @type {Partial<Record<FlagChoice['id'], HTMLInputElement>>} */
  const inputs = {};
  const el = choices.map((choice) => {
    const input = h('input', { type: 'checkbox', checked: Boolean(values[choice.id]), testid: `flag-${choice.id}` });
    inputs[choice.id] = input;
    input.addEventListener('change', () => {
      if (!input.checked) return;
      for (const other of choice.excludes) {
        const excluded = inputs[other];
        if (excluded) excluded.checked = false;
      }
    });
    return checkbox(choice.id.replaceAll('_', '-'), input, choice.label, choice.hint);
  });
  return { el, inputs };
}
