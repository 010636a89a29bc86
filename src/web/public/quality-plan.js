/**
 * What the chosen quality will do, in a sentence: keep the source's audio, or encode it, and for a
 * chosen file the size to expect (the file's own when it is kept, else bitrate × duration). Pure,
 * so it is unit-tested.
 */

import { formatBytes } from './bytes.js';
import { qualityLabel } from './catalog.js';

/** @typedef {import('../../options.ts').FormatChoice} FormatChoice */

/**
 * @typedef {object} PlanChoice
 * @property {FormatChoice} spec the chosen format
 * @property {string} quality the chosen quality
 * @property {string} keepQuality the catalog's default quality, which keeps the source's audio when it fits
 * @property {{ name: string, size: number } | null} file the chosen file, if any
 * @property {number | null} duration the file's length in seconds, when the browser could tell
 */

/** @param {PlanChoice} choice */
export function qualityPlan({ spec, quality, keepQuality, file, duration }) {
  const extension = file?.name.split('.').at(-1)?.toLowerCase();
  const keeps = quality === keepQuality;
  if (file && keeps && extension !== undefined && spec.extensions.includes(extension)) {
    return `No re-encode: your .${extension} file’s audio is most likely kept as it is (about ${formatBytes(file.size)}).`;
  }
  const encodeAt = keeps ? spec.encode_quality : quality;
  const kbps = Number(/^(\d+)k$/.exec(encodeAt ?? '')?.[1]);
  const size = duration && kbps ? ` About ${formatBytes((kbps * 1000 * duration) / 8)}.` : '';
  if (!keeps) return `Encodes to ${spec.label} at ${qualityLabel(spec, quality)}.${size}`;
  if (file) return `Converted to ${spec.label}${encodeAt ? ` at ${qualityLabel(spec, encodeAt)}` : ''}.${size}`;
  const otherwise = encodeAt ? `encoded at ${qualityLabel(spec, encodeAt)}` : 'converted';
  return `No re-encode when the source’s audio already is ${spec.label} (no quality lost); otherwise ${otherwise}.`;
}
