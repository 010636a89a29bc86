/** The form's format and quality controls, with the sentence saying what the choice will do. */
import { h } from './dom.js';
import { field } from './fields.js';
import { qualityPlan } from './quality-plan.js';

/** @typedef {import('../../options.ts').Catalog} Catalog */
/** @typedef {import('../../options.ts').FormatChoice} FormatChoice */
/** @typedef {FormatChoice['qualities'][number]} QualityChoice */
/** @typedef {{ file: File | null }} FormState */

/**
 * @param {Catalog} catalog
 * @param {{ format: string, quality: string | null | undefined }} values
 * @param {FormState} state
 */
export function renderFormatFields({ formats, default_quality }, values, state) {
  const format = h(
    'select',
    { class: 'input', testid: 'format-select' },
    formats.map((f) => h('option', { value: f.id }, `${f.label} — ${f.description}`)),
  );
  format.value = values.format;
  const quality = h('select', { class: 'input', testid: 'quality-select' });
  // Shown in the quality control's place, so choosing FLAC or WAV doesn't shift the layout.
  const lossless = h('p', { class: 'input input--static', hidden: true }, 'Lossless: no quality to choose');
  const plan = h('p', { class: 'field__hint', id: 'quality-plan', 'aria-live': 'polite', testid: 'quality-plan' });
  const qualityField = field({ id: 'quality', label: 'Quality', control: quality });
  qualityField.insertBefore(lossless, quality.nextSibling);
  qualityField.insertBefore(plan, lossless.nextSibling);
  quality.setAttribute('aria-describedby', `quality-plan ${quality.getAttribute('aria-describedby')}`);
  // A quality the person picked follows them to another format; the default follows the format.
  let picked = values.quality && values.quality !== default_quality ? values.quality : null;
  // The select offers only the catalog's formats.
  const spec = () => /** @type {FormatChoice} */ (formats.find((f) => f.id === format.value));
  const refreshPlan = async () => {
    const chosen = { spec: spec(), quality: quality.value, file: state.file };
    const duration = chosen.file ? await mediaDuration(chosen.file) : null;
    // Another choice may have been made while the file was being read.
    if (chosen.spec === spec() && chosen.quality === quality.value && chosen.file === state.file) {
      plan.textContent = qualityPlan({ ...chosen, keepQuality: default_quality, duration });
    }
  };
  const sync = () => {
    const { qualities, lossless: isLossless } = spec();
    quality.hidden = isLossless;
    lossless.hidden = !isLossless;
    quality.replaceChildren(...qualityOptions(qualities, default_quality).flat());
    quality.value = qualities.some((q) => q.value === picked) && picked !== null ? picked : default_quality;
    refreshPlan();
  };
  sync();
  format.addEventListener('change', sync);
  quality.addEventListener('change', () => {
    picked = quality.value;
    refreshPlan();
  });

  const el = h(
    'div',
    { class: 'convert__format' },
    field({ id: 'format', label: 'Format', control: format }),
    qualityField,
  );
  return { el, format, quality, refreshPlan };
}

/**
 * The catalog's choices, in their groups (constant and variable bitrate); the default says so.
 * @param {QualityChoice[]} qualities
 * @param {string} defaultQuality
 */
function qualityOptions(qualities, defaultQuality) {
  /** @param {QualityChoice} q */
  const option = (q) => h('option', { value: q.value }, q.label + (q.value === defaultQuality ? ' · default' : ''));
  /** @type {{ label: string | null, items: QualityChoice[] }[]} */
  const groups = [];
  for (const q of qualities) {
    const last = groups.at(-1);
    if (last && last.label === q.group) last.items.push(q);
    else groups.push({ label: q.group, items: [q] });
  }
  return groups.map((g) => (g.label ? h('optgroup', { label: g.label }, g.items.map(option)) : g.items.map(option)));
}

/**
 * A chosen file's length in seconds, as the browser reads it; null when it cannot tell.
 * @param {File} file
 * @returns {Promise<number | null>}
 */
function mediaDuration(file) {
  return new Promise((resolve) => {
    const media = document.createElement('audio');
    const url = URL.createObjectURL(file);
    /** @param {number | null} seconds */
    const done = (seconds) => {
      URL.revokeObjectURL(url);
      resolve(seconds !== null && Number.isFinite(seconds) && seconds > 0 ? seconds : null);
    };
    media.preload = 'metadata';
    media.addEventListener('loadedmetadata', () => done(media.duration));
    media.addEventListener('error', () => done(null));
    media.src = url;
  });
}
