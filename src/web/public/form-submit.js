/**
 * Sending the form: its footer (error, upload progress, the Convert button), reading and checking
 * the fields, and what follows the server's answer.
 */
import { api, asApiError } from './api.js';
import { announce, h, icon } from './dom.js';
import { errorParagraphs } from './error-text.js';
import { setFieldError } from './fields.js';
import { recent } from './recent.js';
import { navigate } from './router.js';
import { jobPath, jobsPath } from './routes.js';
import { writePrefs } from './storage.js';
import { startUpload } from './upload.js';

/** @typedef {import('./api.js').ApiError} ApiError */
/** @typedef {import('./api.js').JobFields} JobFields */
/** @typedef {import('../../options.ts').FormatChoice['id']} AudioFormat */
/** @typedef {import('../../options.ts').Flag} FlagId */

/**
 * @typedef {object} ConvertForm
 * @property {import('./form-quality.js').FormState} state
 * @property {ReturnType<typeof import('./form-source.js').renderSourceFields>} source
 * @property {ReturnType<typeof import('./form-quality.js').renderFormatFields>} format
 * @property {ReturnType<typeof import('./form-advanced.js').renderAdvancedFields>} advanced
 * @property {ReturnType<typeof import('./form-entries.js').renderEntryPicker>} entries
 * @property {ReturnType<typeof renderSubmitRow>} footer
 */

export function renderSubmitRow() {
  const label = h('span', { class: 'button__label' }, 'Convert');
  const button = h(
    'button',
    { type: 'submit', class: 'button button--primary button--large', testid: 'submit' },
    label,
  );
  const upload = h('progress', {
    class: 'upload-progress',
    max: '1',
    value: '0',
    'aria-label': 'Upload',
    hidden: true,
  });
  // Read by screen readers through startUpload's announcements, at a pace they can follow.
  const rate = h('span', { class: 'upload-rate', 'aria-hidden': 'true', testid: 'upload-rate', hidden: true });
  const cancel = h(
    'button',
    { type: 'button', class: 'button button--secondary', testid: 'cancel-upload', hidden: true },
    'Cancel upload',
  );
  const error = h('div', { class: 'form-error', role: 'alert', testid: 'error', hidden: true });
  const el = h(
    'div',
    { class: 'convert__footer' },
    error,
    h('div', { class: 'convert__submit' }, upload, rate, cancel, button),
  );
  return { el, button, label, upload, rate, cancel, error };
}

/**
 * Reads the form, refusing locally what the server would refuse anyway; null when invalid.
 * @param {ConvertForm} form
 * @returns {JobFields | null}
 */
function readForm({ state, source, format, advanced, entries }) {
  /** @type {[HTMLElement, string][]} */
  const problems = [];
  const url = source.url.value.trim();
  if (!state.file && !url) problems.push([source.url, 'Paste a link, or choose a file below.']);
  // The select offers only the catalog's formats.
  /** @type {JobFields} */
  const fields = { format: /** @type {AudioFormat} */ (format.format.value) };
  if (!state.file) fields.url = url;
  if (!format.quality.hidden) fields.quality = format.quality.value;
  // Times go as typed: the server is the one judge of what a time is (its refusal names the field).
  const start = advanced.start.value.trim();
  if (start) fields.start = start;
  const end = advanced.end.value.trim();
  if (end) fields.end = end;
  for (const [flag, input] of Object.entries(advanced.flags)) fields[/** @type {FlagId} */ (flag)] = input.checked;
  advanced.sponsorblock.read(fields);
  const items = advanced.items.value.trim();
  if (items) fields.items = items;
  const noneChosen = state.file ? null : entries.noneChosen();
  if (noneChosen) problems.push([noneChosen, 'Tick at least one entry to convert.']);
  const email = advanced.email.value.trim();
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problems.push([advanced.email, 'Enter an email address.']);
  if (email) fields.email = email;

  for (const input of [source.url, advanced.start, advanced.end, advanced.items, advanced.email, format.quality]) {
    setFieldError(input, null);
  }
  for (const [input, message] of problems) setFieldError(input, message);
  const first = problems[0];
  if (!first) return fields;
  if (problems.some(([input]) => advanced.el.contains(input))) advanced.el.open = true;
  first[0].focus();
  return null;
}

/**
 * Starts the conversion (uploading the file, if one is chosen) and opens its page.
 * @param {ConvertForm} form
 */
export async function submitConversion(form) {
  const { state, footer, source } = form;
  showFormError(footer, null);
  const fields = readForm(form);
  if (!fields) return;
  setSubmitting(footer, state.file ? 'Uploading…' : 'Starting…');
  const upload = state.file ? startUpload(footer, source) : null;
  try {
    writePrefs({ format: fields.format, quality: fields.quality ?? null });
    if (!state.file && severalLinks(fields.url ?? '')) {
      const { url: text, ...shared } = fields;
      const batch = await api.createJobs({ ...shared, text });
      for (const job of [...batch.jobs].reverse()) recent.add(job);
      navigate(jobsPath(batch.jobs.map((job) => job.id)), { batch });
      return;
    }
    const job = await api.createJob(fields, state.file, upload?.onProgress, upload?.signal);
    recent.add(job);
    navigate(jobPath(job.id), { job });
  } catch (caught) {
    const err = asApiError(caught);
    setSubmitting(footer, null);
    if (err.code === 'upload_cancelled') {
      announce('Upload cancelled. Nothing was kept.');
      footer.button.focus();
    } else if (!markRefusedField(form, err)) {
      // A refusal shown beside its field is not repeated above the button.
      showFormError(footer, err);
    }
  } finally {
    upload?.end();
  }
}

/**
 * Pasted text with more than one link in it (or around it) goes to the server whole: which parts
 * are links is the server's to say (src/jobs/links.ts), as is what each link is.
 * @param {string} text
 */
export function severalLinks(text) {
  return text.split(/\s+/).filter((word) => word !== '').length > 1;
}

/**
 * The button while a request is on its way (`label`), or back to "Convert" (null).
 * @param {ConvertForm['footer']} footer
 * @param {string | null} label
 */
function setSubmitting(footer, label) {
  footer.button.disabled = label !== null;
  footer.button.setAttribute('aria-busy', String(label !== null));
  footer.label.textContent = label ?? 'Convert';
  footer.upload.hidden = true;
  if (label) announce(label);
}

/**
 * @param {ConvertForm['footer']} footer
 * @param {ApiError | null} err
 */
function showFormError(footer, err) {
  footer.error.hidden = !err;
  footer.error.replaceChildren(...(err ? [icon('alert'), h('div', {}, errorParagraphs(err.code, err.message))] : []));
}

/**
 * Points at the field the server refused, so the fix is one keystroke away.
 * @param {ConvertForm} form
 * @param {ApiError} err
 * @returns {boolean} whether the server's sentence is shown beside the field
 */
function markRefusedField({ source, state, advanced, format }, err) {
  const { code, field } = err;
  /** @type {Record<string, HTMLInputElement | HTMLSelectElement>} */
  const fields = {
    start: advanced.start,
    end: advanced.end,
    items: advanced.items,
    email: advanced.email,
    quality: format.quality,
  };
  const control = field ? fields[field] : undefined;
  if (control) {
    // The server's sentence says what is wrong with it; it goes beside the field.
    if (advanced.el.contains(control)) advanced.el.open = true;
    setFieldError(control, err.message);
    control.focus();
    return true;
  }
  if (['invalid_url', 'unsupported_site', 'forbidden_address'].includes(code) && !state.file) {
    source.url.setAttribute('aria-invalid', 'true');
    source.url.focus();
  } else if (code === 'file_too_large') {
    source.file.setAttribute('aria-invalid', 'true');
  }
  return false;
}
