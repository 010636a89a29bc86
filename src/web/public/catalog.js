/**
 * What the server offers and accepts (GET /api/options): formats with their qualities and labels,
 * the defaults, the limits and a sentence per error code. Loaded once at start-up; null when it
 * could not be, and then only job pages work.
 */
import { requestJson } from './api.js';
import { learnErrorHints } from './error-text.js';

/** @typedef {import('../../options.ts').Catalog} Catalog */
/** @typedef {import('../../options.ts').FormatChoice} FormatChoice */

/** @type {Catalog | null} */
export let catalog = null;

/** Asks the server for its catalog; the page's error sentences are the server's from then on. */
export async function loadCatalog() {
  try {
    const loaded = /** @type {Catalog} */ (await requestJson('GET', '/api/options'));
    learnErrorHints(loaded.error_hints);
    catalog = loaded;
  } catch {
    catalog = null;
  }
}

/**
 * The catalog's label for a quality ("320 kbps", "V0 · VBR ≈ 245 kbps"), else the value as stored.
 * @param {Pick<FormatChoice, 'qualities'> | undefined} spec
 * @param {string} quality
 */
export function qualityLabel(spec, quality) {
  return spec?.qualities.find((q) => q.value === quality)?.label ?? quality;
}

/**
 * The catalog's entry for a format, when the catalog is loaded and knows it.
 * @param {string} format
 */
export function formatSpec(format) {
  return catalog?.formats.find((f) => f.id === format);
}
