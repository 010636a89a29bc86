/** The sign-in form, and the site's sign-out. */
import { type Html, html } from './html.ts';
import { csrfField, layout } from './layout.ts';
import type { Session } from './session.ts';

export interface LoginForm {
  /** Where the form posts: the admin area's door or the site's. */
  action: string;
  /** The admin area's look (its header tag), else the site's. */
  admin: boolean;
  username?: string | undefined;
  error?: string | undefined;
  /** Where to go once signed in. */
  next?: string | undefined;
}

export function loginPage(form: LoginForm): Html {
  const body = html`<section class="card admin-login">
        <h1>Sign in</h1>
        ${form.error && html`<p class="admin-alert admin-alert--error" role="alert">${form.error}</p>`}
        <form method="post" action="${form.action}" class="admin-login__form">
          ${form.next !== undefined && html`<input type="hidden" name="next" value="${form.next}">`}
          <label class="field">
            <span class="field__label">Username</span>
            <input class="input" name="username" value="${form.username ?? ''}" autocomplete="username" required autofocus>
          </label>
          <label class="field">
            <span class="field__label">Password</span>
            <input class="input" type="password" name="password" autocomplete="current-password" required>
          </label>
          <button class="button button--primary" type="submit">Sign in</button>
        </form>
      </section>`;
  return layout('Sign in', null, body, form.admin);
}

/** The site's sign-out (YTCONV_ACCESS): a page with a form, since a plain link cannot carry the CSRF token. */
export function signOutPage(session: Session): Html {
  const body = html`<section class="card admin-login">
        <h1>Sign out?</h1>
        <p>You are signed in as <strong>${session.username}</strong>.</p>
        <form method="post" action="/logout" class="admin-login__form">
          ${csrfField(session)}
          <button class="button button--primary" type="submit">Sign out</button>
          <a class="button button--secondary" href="/">Stay signed in</a>
        </form>
      </section>`;
  return layout('Sign out', null, body, false);
}
