/**
 * The frame of every admin page: the main page's header and look, plus navigation and sign-out.
 * The site's own sign-in pages (YTCONV_ACCESS) wear it too, without the admin tag.
 */
import { type Html, html } from './html.ts';
import type { Session } from './session.ts';

export function layout(title: string, session: Session | null, body: Html, admin = true): Html {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light dark">
    <meta name="robots" content="noindex">
    <title>${title} · ytconv${admin && ' admin'}</title>
    <link rel="icon" href="/assets/logo.svg" type="image/svg+xml">
    <link rel="stylesheet" href="/assets/app.css">
    <link rel="stylesheet" href="/assets/admin.css">
  </head>
  <body class="admin">
    <header class="site-header">
      <div class="wrap site-header__inner">
        <a class="brand" href="${admin ? '/admin' : '/'}">
          <img class="brand__logo" src="/assets/logo.svg" alt="" width="28" height="28">
          <span class="brand__name">ytconv</span>
          ${admin && html`<span class="admin-tag">admin</span>`}
        </a>
        ${session && nav(session)}
      </div>
    </header>
    <main id="main" class="wrap">
      ${body}
    </main>
  </body>
</html>
`;
}

function nav(session: Session): Html {
  return html`<nav class="admin-nav" aria-label="Admin">
          <a href="/admin">Jobs</a>
          <a href="/admin/health">Health</a>
          <a href="/admin/queues">Queues</a>
          <a href="/admin/keys">API keys</a>
          <form method="post" action="/admin/logout">
            ${csrfField(session)}
            <button class="button button--ghost button--small" type="submit">Sign out ${session.username}</button>
          </form>
        </nav>`;
}

export function csrfField(session: Session): Html {
  return html`<input type="hidden" name="_csrf" value="${session.csrf}">`;
}
