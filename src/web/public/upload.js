/** A file upload in the form's footer: its bar, its speed and time left, and Cancel. */

import { formatBytes } from './bytes.js';
import { announce } from './dom.js';
import { formatEta } from './format.js';
import { nextRate, secondsLeft } from './upload-rate.js';

/** @typedef {import('./upload-rate.js').UploadRate} UploadRate */
/** @typedef {ReturnType<typeof import('./form-submit.js').renderSubmitRow>} Footer */
/** @typedef {ReturnType<typeof import('./form-source.js').renderSourceFields>} SourceFields */

/** How often screen readers hear the upload's progress. */
const ANNOUNCE_UPLOAD_MS = 15_000;

/**
 * An upload's controls while it runs; `end()` puts them away whatever the outcome.
 * @param {Footer} footer
 * @param {SourceFields} source
 */
export function startUpload(footer, source) {
  const controller = new AbortController();
  /** @type {UploadRate | null} */
  let rate = null;
  let announcedAt = Date.now();
  const cancel = () => controller.abort();
  footer.cancel.hidden = false;
  footer.cancel.addEventListener('click', cancel);
  source.setUploading(true);
  return {
    signal: controller.signal,
    /** @type {import('./api.js').OnUploadProgress} */
    onProgress(loaded, total) {
      rate = nextRate(rate, loaded, Date.now());
      const text = uploadRateText(rate, total);
      // Once every byte is sent the server may already be creating the job: too late to call it off.
      footer.cancel.hidden = loaded >= total;
      showUploadProgress(footer, loaded / total, text);
      if (text && Date.now() - announcedAt >= ANNOUNCE_UPLOAD_MS) {
        announcedAt = Date.now();
        announce(`Uploading, ${Math.floor((loaded / total) * 100)}%, ${text}`);
      }
    },
    end() {
      footer.cancel.hidden = true;
      footer.cancel.removeEventListener('click', cancel);
      footer.rate.hidden = true;
      source.setUploading(false);
    },
  };
}

/**
 * "4.2 MB/s · about 12 s left"; null until the speed is known.
 * @param {UploadRate} rate
 * @param {number} total
 */
function uploadRateText(rate, total) {
  const left = secondsLeft(rate, total);
  return left === null || rate.rate === null ? null : `${formatBytes(rate.rate)}/s · ${formatEta(left)}`;
}

/**
 * @param {Footer} footer
 * @param {number} fraction
 * @param {string | null} rateText
 */
function showUploadProgress(footer, fraction, rateText) {
  footer.upload.hidden = false;
  footer.upload.value = fraction;
  footer.rate.hidden = rateText === null;
  footer.rate.textContent = rateText ?? '';
  footer.label.textContent = `Uploading… ${Math.floor(fraction * 100)}%`;
}
