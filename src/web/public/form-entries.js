/**
 * Choosing a playlist's entries before converting it: for one link, "Choose entries" asks the
 * server what the link is (GET /api/inspect, one quick extract, only when asked: never per
 * keystroke) and lists a playlist's entries with checkboxes. The "Playlist entries" text field of
 * the advanced options stays the one value that is sent: the ticks write it (in the canonical
 * syntax, ranges collapsed), and the list opens showing the entries the field already picks.
 * Typing in the field, or another link, puts the list away: it would no longer say what is sent.
 */
import { api, asApiError } from './api.js';
import { announce, h } from './dom.js';
import { errorParagraphs } from './error-text.js';
import { setFieldError } from './fields.js';
import { severalLinks } from './form-submit.js';
import { formatDuration, itemsOfPositions } from './format.js';

/** @typedef {import('../../jobs/types.ts').LinkPreview} LinkPreview */
/** @typedef {Extract<LinkPreview, { kind: 'playlist' }>} PlaylistPreview */

/**
 * @param {HTMLTextAreaElement} url the link field
 * @param {HTMLInputElement} items the advanced options' "Playlist entries" field
 */
export function renderEntryPicker(url, items) {
  const open = h(
    'button',
    { type: 'button', class: 'button button--secondary button--small', testid: 'choose-entries', hidden: true },
    'Choose entries',
  );
  const note = h('div', { class: 'entry-picker__note', role: 'status', testid: 'entries-note', hidden: true });
  const list = h('div', { class: 'entry-picker__panel' });
  const el = h('div', { class: 'entry-picker' }, open, note, list);
  /** @type {ReturnType<typeof renderList> | null} */
  let shown = null;

  const close = () => {
    shown = null;
    list.replaceChildren();
    note.hidden = true;
  };
  /** The link field holds one link (not several, not a file's place): there may be entries to choose. */
  const refresh = () => {
    const link = url.value.trim();
    open.hidden = url.disabled || link === '' || severalLinks(link);
    if (open.hidden) close();
  };
  const write = () => {
    if (!shown) return;
    const { boxes, fieldset } = shown;
    const chosen = boxes.filter((box) => box.checked).map((box) => Number(box.value));
    items.value = itemsOfPositions(chosen, boxes.length);
    setFieldError(items, null);
    setFieldError(fieldset, null);
    shown.showCount();
  };

  url.addEventListener('input', () => {
    close();
    refresh();
  });
  items.addEventListener('input', close);
  open.addEventListener('click', async () => {
    close();
    setBusy(open, true);
    try {
      const preview = await api.inspectLink(url.value.trim(), items.value.trim());
      if (preview.kind === 'media') {
        const words = `This link is one video, “${preview.title}”: there are no entries to choose.`;
        showNote(note, [h('p', {}, words)]);
        return;
      }
      shown = renderList(list, preview, write);
      announce(`${preview.count} entries listed, ${preview.entries.filter((e) => e.chosen).length} chosen.`);
    } catch (caught) {
      const err = asApiError(caught);
      if (err.field === 'items') {
        items.closest('details')?.setAttribute('open', '');
        setFieldError(items, err.message);
        items.focus();
      } else {
        showNote(note, errorParagraphs(err.code, err.message));
      }
    } finally {
      setBusy(open, false);
    }
  });
  refresh();

  /** The list, when it is shown with nothing ticked (the form must not send that as "all"); else null. */
  const noneChosen = () => (shown && !shown.boxes.some((box) => box.checked) ? shown.fieldset : null);
  return { el, refresh, noneChosen };
}

/**
 * @param {HTMLButtonElement} button
 * @param {boolean} busy
 */
function setBusy(button, busy) {
  button.disabled = busy;
  button.setAttribute('aria-busy', String(busy));
  button.textContent = busy ? 'Reading the link…' : 'Choose entries';
}

/**
 * @param {HTMLElement} note
 * @param {(HTMLElement | null)[]} paragraphs
 */
function showNote(note, paragraphs) {
  note.replaceChildren(...paragraphs.filter((p) => p !== null));
  note.hidden = false;
  announce(note.textContent ?? '');
}

/**
 * The entries with a checkbox each, ticked as the server read the selection; `onChange` after each change.
 * @param {HTMLElement} panel
 * @param {PlaylistPreview} preview
 * @param {() => void} onChange
 */
function renderList(panel, preview, onChange) {
  const boxes = preview.entries.map((entry) =>
    h('input', {
      type: 'checkbox',
      id: `entry-${entry.position}`,
      value: String(entry.position),
      checked: entry.chosen,
      testid: 'entry-checkbox',
      onchange: onChange,
    }),
  );
  const rows = preview.entries.map((entry, i) =>
    h(
      'li',
      { class: 'entry-picker__row' },
      boxes[i],
      h(
        'label',
        { for: `entry-${entry.position}` },
        h('span', { class: 'entry-picker__position' }, String(entry.position).padStart(2, '0')),
        h('span', { class: 'entry-picker__title' }, entry.title ?? 'Untitled'),
        entry.duration !== null && h('span', { class: 'entry-picker__duration' }, formatDuration(entry.duration)),
      ),
    ),
  );
  /** @param {boolean} checked */
  const tickAll = (checked) => () => {
    for (const box of boxes) box.checked = checked;
    onChange();
  };
  const count = h('span', { class: 'entry-picker__count', 'aria-live': 'polite' });
  const fieldset = h(
    'fieldset',
    { class: 'entry-picker__list', id: 'entries', tabindex: '-1', 'aria-describedby': 'entries-error' },
    h('legend', { class: 'field__label' }, `Entries of “${preview.title}”`),
    h(
      'div',
      { class: 'entry-picker__tools' },
      count,
      h(
        'button',
        { type: 'button', class: 'button button--ghost button--small', onclick: tickAll(true) },
        'Select all',
      ),
      h(
        'button',
        { type: 'button', class: 'button button--ghost button--small', onclick: tickAll(false) },
        'Select none',
      ),
    ),
    h('ul', { class: 'entry-picker__entries' }, rows),
    h('p', { class: 'field__error', id: 'entries-error', hidden: true }),
  );
  panel.replaceChildren(fieldset);
  const showCount = () => {
    count.textContent = `${boxes.filter((box) => box.checked).length} of ${boxes.length} chosen`;
  };
  showCount();
  return { boxes, fieldset, showCount };
}
