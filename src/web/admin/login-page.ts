/** The sign-in form. */
import { type Html, html } from './html.ts';
import { layout } from './layout.ts';

export function loginPage(form: { username?: string; error?: string } = {}): Html {
  const body = html`<section class="card admin-login">
        <h1>Sign in</h1>
        ${form.error && html`<p class="admin-alert admin-alert--error" role="alert">${form.error}</p>`}
        <form method="post" action="/admin/login" class="admin-login__form">
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
  return layout('Sign in', null, body);
}
