/** The page for an address the app doesn't have. */
import { h } from './dom.js';

/** @param {HTMLElement} root */
export function renderMissingPage(root) {
  document.title = 'Not found — ytconv';
  root.append(
    h(
      'section',
      { class: 'card callout callout--neutral' },
      h('h1', { tabindex: '-1' }, 'This page doesn’t exist'),
      h('p', {}, h('a', { href: '/', 'data-nav': true }, 'Start a new conversion')),
    ),
  );
}
