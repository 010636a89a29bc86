/** The job page's "Copy link" button. */
import { announce, h } from './dom.js';

/**
 * Copies the page's address; plain-http installs have no Clipboard API, so fall back to a selection copy.
 * @param {HTMLButtonElement} button its last child is the text saying "Copy link"
 */
export async function copyLink(button) {
  const url = location.href;
  let copied = false;
  try {
    await navigator.clipboard.writeText(url);
    copied = true;
  } catch {
    const area = h('textarea', { class: 'visually-hidden', readonly: true });
    area.value = url;
    document.body.append(area);
    area.select();
    copied = document.execCommand('copy');
    area.remove();
  }
  if (!copied) {
    window.prompt('Copy this link:', url);
    return;
  }
  announce('Link copied');
  button.classList.add('is-copied');
  setLabel(button, 'Copied');
  setTimeout(() => {
    button.classList.remove('is-copied');
    setLabel(button, 'Copy link');
  }, 2000);
}

/**
 * @param {HTMLButtonElement} button
 * @param {string} text
 */
function setLabel(button, text) {
  if (button.lastChild) button.lastChild.textContent = text;
}
