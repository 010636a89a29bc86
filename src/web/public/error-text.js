/**
 * One sentence per error code: what happened and what the person can do about it. The server's
 * codes come with the catalog (learnErrorHints); `offline` and `upload_failed` are the page's own:
 * the request never got an answer.
 */
import { h } from './dom.js';

/** @type {Record<string, string | undefined>} */
export const ERROR_TEXT = {
  offline: 'Couldn’t reach the ytconv server. Check your connection and try again.',
  upload_failed:
    'The upload was interrupted. Check your connection; a very large file may also be over the server’s limit.',
};

/** @param {Record<string, string>} hints the catalog's `error_hints` */
export function learnErrorHints(hints) {
  Object.assign(ERROR_TEXT, hints);
}

/**
 * The friendly sentence for a code, and the server's own message as a detail when it says more
 * (it names the specifics). Without a sentence for the code, the message is the text.
 * @param {string | undefined} code
 * @param {string | undefined} message
 * @returns {{ text: string, detail: string | null }}
 */
export function errorWords(code, message) {
  const text = code === undefined ? undefined : ERROR_TEXT[code];
  const detail = message && message !== text ? message : null;
  return {
    text: text ?? message ?? 'Something went wrong on the server.',
    detail: text ? detail : null,
  };
}

/**
 * `errorWords` as paragraphs.
 * @param {string | undefined} code
 * @param {string | undefined} message
 */
export function errorParagraphs(code, message) {
  const { text, detail } = errorWords(code, message);
  return [h('p', { class: 'error-text' }, text), detail ? h('p', { class: 'error-detail' }, detail) : null];
}

/**
 * A failed playlist entry's words: the server's own ("This video is private."), which say more
 * than the code's sentence.
 * @param {{ error: { code: string, message: string } | null }} entry
 */
export function entryErrorText(entry) {
  return entry.error?.message || (entry.error && ERROR_TEXT[entry.error.code]) || 'This video could not be converted.';
}
