/** Form fields: a labelled control with its hint and inline error, wired for screen readers. */
import { byId, h } from './dom.js';

/**
 * A labelled control with room for a hint and an inline error, wired through aria-describedby.
 * @param {{ id: string, label: string, control: HTMLElement, hint?: string }} field
 */
export function field({ id, label, control, hint }) {
  const hintEl = hint ? h('p', { class: 'field__hint', id: `${id}-hint` }, hint) : null;
  const errorEl = h('p', { class: 'field__error', id: `${id}-error`, hidden: true });
  control.id = id;
  control.setAttribute('aria-describedby', [hintEl?.id, errorEl.id].filter(Boolean).join(' '));
  return h('div', { class: 'field' }, h('label', { class: 'field__label', for: id }, label), control, hintEl, errorEl);
}

/**
 * Shows (or with null, clears) the inline error of a control made by `field`.
 * @param {HTMLElement} control
 * @param {string | null} message
 */
export function setFieldError(control, message) {
  const errorEl = byId(`${control.id}-error`);
  errorEl.textContent = message ?? '';
  errorEl.hidden = !message;
  if (message) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

/**
 * A checkbox with its label and a hint below.
 * @param {string} id
 * @param {HTMLInputElement} input
 * @param {string} label
 * @param {string} hint
 */
export function checkbox(id, input, label, hint) {
  input.id = id;
  input.setAttribute('aria-describedby', `${id}-hint`);
  return h(
    'div',
    { class: 'check' },
    input,
    h('label', { for: id }, h('span', { class: 'check__label' }, label)),
    h('p', { class: 'field__hint check__hint', id: `${id}-hint` }, hint),
  );
}
