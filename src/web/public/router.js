/**
 * Client-side navigation: renders the page for `location.pathname`, follows in-page links without
 * reloading, and cleans up the page being left. The pages are handed in by the entry module, so
 * that pages can navigate without importing one another.
 */
import { byId } from './dom.js';
import { matchRoute } from './routes.js';

/**
 * @typedef {object} Pages
 * @property {(root: HTMLElement, id: string) => () => void} job renders a job; returns its clean-up
 * @property {(root: HTMLElement, params: URLSearchParams) => () => void} jobs renders several jobs; returns its clean-up
 * @property {(root: HTMLElement, params: URLSearchParams) => void} home
 * @property {(root: HTMLElement) => void} missing
 */

/** @type {Pages | null} */
let pages = null;

/** Cleans up the page being left (closes a job's event stream). */
let leavePage = () => {};

/** Renders the page for the current address. */
export function render() {
  if (!pages) throw new Error('render() before startRouter().');
  leavePage();
  leavePage = () => {};
  const root = byId('app');
  root.replaceChildren();
  const route = matchRoute(location.pathname);
  if (route.page === 'job') leavePage = pages.job(root, route.id);
  else if (route.page === 'jobs') leavePage = pages.jobs(root, new URLSearchParams(location.search));
  else if (route.page === 'home') pages.home(root, new URLSearchParams(location.search));
  else pages.missing(root);
}

/**
 * Client-side navigation; `state` can carry a job already in hand, to render it without waiting.
 * @param {string} url
 * @param {{ job?: import('../../jobs/types.ts').JobView, batch?: import('../../jobs/types.ts').BatchResult } | null} [state]
 */
export function navigate(url, state = null) {
  history.pushState(state, '', url);
  render();
  window.scrollTo(0, 0);
  // Move focus to the new page's heading so screen readers announce where they are.
  document.getElementById('app')?.querySelector('h1')?.focus({ preventScroll: true });
}

/** @param {MouseEvent} event */
function onLinkClick(event) {
  const link = event.target instanceof Element ? event.target.closest('a[data-nav]') : null;
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(link.getAttribute('href') ?? '/');
}

/**
 * Renders the first page and takes over links and the back button.
 * @param {Pages} handlers
 */
export function startRouter(handlers) {
  pages = handlers;
  document.addEventListener('click', onLinkClick);
  window.addEventListener('popstate', render);
  render();
}
