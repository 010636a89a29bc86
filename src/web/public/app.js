/**
 * ytconv's browser page, the entry module: ES modules, no framework, no build step.
 *
 * The server answers both `/` and `/jobs/<id>` with index.html; this module loads the catalog and
 * renders the page for `location.pathname` (router.js), which talks to the same-origin JSON API
 * (api.js). The pages: home.js (the form and the recent list), job.js, jobs-list.js (jobs started
 * together), missing.js.
 */
import { leaveToSignIn } from './access.js';
import { loadCatalog } from './catalog.js';
import { catchFileDrops } from './file-drop.js';
import { renderHomePage } from './home.js';
import { renderJobPage } from './job.js';
import { renderJobsPage } from './jobs-list.js';
import { renderMissingPage } from './missing.js';
import { startRouter } from './router.js';

// The catalog first (the form is built from it); without it, job pages still work.
await loadCatalog();
if (!leaveToSignIn()) {
  catchFileDrops();
  startRouter({ job: renderJobPage, jobs: renderJobsPage, home: renderHomePage, missing: renderMissingPage });
}
