/**
 * Building the page: elements, icons, labelled fields and the live region. Everything is made with
 * DOM calls, never innerHTML, so a video title can never inject markup. Nothing here runs at import
 * time, so modules that use it can still be imported by unit tests under Node.
 */

/** @typedef {Node | string | null | undefined | false} Leaf */
/** @typedef {Leaf | readonly Child[]} Child */
/** @typedef {string | number | boolean | null | undefined | ((event: Event) => void)} PropValue */

/**
 * `h('a', { href, class, testid, onclick }, ...children)`; false/null props and children are skipped.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, PropValue> | null} props
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'testid') el.dataset.testid = String(value);
    else if (typeof value === 'function') el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  // Typed by hand: inferring the depth of a recursive `flat` is too deep for tsc.
  const leaves = /** @type {Leaf[]} */ (/** @type {unknown[]} */ (children).flat(Infinity));
  el.append(...leaves.filter((child) => child !== null && child !== undefined && child !== false));
  return el;
}

/**
 * The element with this id, which the page's HTML or an earlier render guarantees.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The page has no #${id}.`);
  return el;
}

const ICONS = {
  upload: 'M12 15V4M7.5 8.5 12 4l4.5 4.5M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3',
  download: 'M12 4v11M7.5 10.5 12 15l4.5-4.5M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3',
  music: 'M9 18V5l11-2v13M9 18a3 3 0 1 1-6 0 3 3 0 0 1 6 0Zm11-2a3 3 0 1 1-6 0 3 3 0 0 1 6 0Z',
  file: 'M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5',
  close: 'M6 6l12 12M18 6 6 18',
  link: 'M10 14a4 4 0 0 0 5.66 0l3-3a4 4 0 0 0-5.66-5.66l-1 1M14 10a4 4 0 0 0-5.66 0l-3 3a4 4 0 0 0 5.66 5.66l1-1',
  check: 'M5 12.5l4.5 4.5L19 7',
  alert: 'M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0ZM12 7.5V13M12 16.5v.01',
  stop: 'M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0ZM5.6 5.6l12.8 12.8',
  clock: 'M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0ZM12 7v5l3 2',
  back: 'M19 12H5m0 0 6-6m-6 6 6 6',
  archive: 'M3 5h18v4H3zM5 9v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V9M10 13h4',
  retry: 'M20 11a8 8 0 0 0-14.9-3.5M4 4v4h4M4 13a8 8 0 0 0 14.9 3.5M20 20v-4h-4',
};

/** @typedef {keyof typeof ICONS} IconName */

/**
 * A decorative line icon; the text next to it carries the meaning.
 * @param {IconName} name
 */
export function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  for (const [key, value] of Object.entries({ viewBox: '0 0 24 24', class: 'icon', 'aria-hidden': 'true' })) {
    svg.setAttribute(key, value);
  }
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

/**
 * Screen readers hear status changes from one polite live region, not from every DOM update.
 * @param {string} message
 */
export function announce(message) {
  const region = byId('announcer');
  // Clearing first makes the same sentence twice in a row (e.g. "Link copied") be read again.
  region.textContent = '';
  requestAnimationFrame(() => {
    region.textContent = message;
  });
}

/**
 * A boxed message with an icon and a heading (an outcome, a refusal, a missing page).
 * @param {'neutral' | 'error'} tone
 * @param {IconName} iconName
 * @param {string} heading
 * @param {Child} body
 * @param {string | null} [testid]
 * @param {'h1' | 'h2'} [level]
 */
export function callout(tone, iconName, heading, body, testid = null, level = 'h2') {
  return h(
    'section',
    { class: `callout callout--${tone}`, testid },
    h('span', { class: 'callout__icon' }, icon(iconName)),
    h('div', { class: 'callout__body' }, h(level, { tabindex: '-1' }, heading), body),
  );
}
