/**
 * A private server (YTCONV_ACCESS) as the page follows it, from the catalog's `access`: nobody
 * signed in goes to the sign-in form first, and comes back to the address they asked for; whoever
 * is signed in sees who, and a way to sign out. The addresses are the server's.
 */
import { catalog } from './catalog.js';
import { byId, h } from './dom.js';

/**
 * Sends the visitor to sign in when the server needs it.
 * @returns {boolean} true when the page is being left for the sign-in form
 */
export function leaveToSignIn() {
  const access = catalog?.access;
  if (access?.sign_in) {
    const next = `${location.pathname}${location.search}`;
    location.replace(`${access.sign_in}?next=${encodeURIComponent(next)}`);
    return true;
  }
  if (access?.user && access.sign_out) {
    byId('site-header').append(
      h('a', { class: 'site-header__user', href: access.sign_out }, `Sign out ${access.user}`),
    );
  }
  return false;
}
