/** The form's source: a link, or a media file chosen or dropped (one at a time). */

import { formatBytes } from './bytes.js';
import { announce, h, icon } from './dom.js';
import { field, setFieldError } from './fields.js';

/** @typedef {import('../../options.ts').Catalog['limits']} Limits */
/** @typedef {import('./form-quality.js').FormState} FormState */

/**
 * @param {Limits} limits
 * @param {FormState} state
 * @param {{ url: string }} values
 * @param {() => void} onFileChange
 */
export function renderSourceFields(limits, state, values, onFileChange) {
  // A text area, so that several links pasted at once keep their line breaks; Enter still submits.
  const url = h('textarea', {
    rows: '1',
    inputmode: 'url',
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
    placeholder: 'https://youtu.be/…',
    autofocus: true,
    class: 'input input--large input--links',
    testid: 'url-input',
  });
  url.value = values.url;
  url.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      url.form?.requestSubmit();
    }
  });
  const urlField = field({
    id: 'url',
    label: 'Video or playlist link',
    control: url,
    hint: 'Several links at once: paste them, one per line (Shift+Enter for a new line).',
  });
  const file = renderFileField(limits, state, (chosen) => {
    // One source at a time: a chosen file takes the link field out of play until it's removed.
    url.disabled = chosen !== null;
    setFieldError(url, null);
    onFileChange();
  });
  const el = h(
    'div',
    { class: 'convert__source' },
    urlField,
    h('div', { class: 'or', 'aria-hidden': 'true' }, h('span', {}, 'or')),
    file.el,
  );
  return { el, url, file: file.input, setUploading: file.setUploading };
}

/**
 * @param {Limits} limits
 * @param {FormState} state
 * @param {(file: File | null) => void} onChange
 */
function renderFileField(limits, state, onChange) {
  const input = h('input', {
    type: 'file',
    id: 'file',
    class: 'visually-hidden',
    accept: 'audio/*,video/*,.mkv,.webm,.m4a,.opus,.flac,.wav,.ogg',
    testid: 'file-input',
    'aria-describedby': 'file-hint file-error',
  });
  const name = h('span', { class: 'file-chip__name' });
  const size = h('span', { class: 'file-chip__size' });
  const remove = h('button', { type: 'button', class: 'button button--ghost button--small' }, icon('close'), 'Remove');
  const chip = h(
    'div',
    { class: 'file-chip', hidden: true },
    h('span', { class: 'file-chip__icon' }, icon('file')),
    h('span', { class: 'file-chip__text' }, name, size),
    remove,
  );
  const prompt = h(
    'div',
    { class: 'dropzone__prompt' },
    h('span', { class: 'dropzone__icon' }, icon('upload')),
    h(
      'p',
      {},
      h('span', { class: 'dropzone__drop' }, 'Drop a media file here, or '),
      h('label', { for: 'file', class: 'dropzone__choose' }, 'choose a file'),
    ),
    h('p', { class: 'field__hint', id: 'file-hint' }, `Any audio or video file, up to ${limits.max_upload_text}.`),
  );
  const zone = h('div', { class: 'dropzone' }, input, prompt, chip);
  const errorEl = h('p', { class: 'field__error', id: 'file-error', hidden: true });

  /** @param {File | null} file */
  const choose = (file) => {
    // Refused here, before a byte is sent; the server would refuse it only once all of it arrived.
    if (file && file.size > limits.max_upload_bytes) {
      input.value = '';
      const limit = limits.max_upload_text;
      setFieldError(
        input,
        `“${file.name}” is ${formatBytes(file.size)}; this server takes files up to ${limit}. Choose a smaller file.`,
      );
      announce(`${file.name} is too large: the limit is ${limit}.`);
      return;
    }
    state.file = file;
    prompt.hidden = file !== null;
    chip.hidden = file === null;
    zone.classList.toggle('dropzone--chosen', file !== null);
    setFieldError(input, null);
    if (file) {
      name.textContent = file.name;
      size.textContent = formatBytes(file.size);
      announce(`Chosen: ${file.name}, ${formatBytes(file.size)}`);
    } else {
      input.value = '';
    }
    onChange(file);
  };

  input.addEventListener('change', () => choose(input.files?.[0] ?? null));
  remove.addEventListener('click', () => {
    choose(null);
    input.focus();
  });
  // A file dropped anywhere on the page lands here (see file-drop.js); the zone shows where it goes.
  input.addEventListener('filedrop', (event) => choose(/** @type {CustomEvent<File>} */ (event).detail));
  highlightDrags(zone);
  // While the file goes up it is the upload's: Cancel stops it, Remove or another file would not.
  /** @param {boolean} uploading */
  const setUploading = (uploading) => {
    input.disabled = uploading;
    remove.disabled = uploading;
  };
  return { el: h('div', { class: 'field' }, zone, errorEl), input, setUploading };
}

/** @param {HTMLElement} zone */
function highlightDrags(zone) {
  // dragenter/dragleave fire for every child; a counter tells when the pointer really left.
  let depth = 0;
  /** @param {boolean} active */
  const setActive = (active) => zone.classList.toggle('dropzone--active', active);
  zone.addEventListener('dragenter', () => {
    depth += 1;
    setActive(true);
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) setActive(false);
  });
  zone.addEventListener('drop', () => {
    depth = 0;
    setActive(false);
  });
}
