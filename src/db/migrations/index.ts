/**
 * Every migration, by name, in order. Listed by hand rather than found by scanning a directory,
 * so that migrating behaves the same from a checkout, a bundle or an installed package.
 */
import type { Migration } from 'kysely/migration';
import * as initial from './2026-11-24-001-initial.ts';
import * as entriesAndEmail from './2026-11-24-002-entries-and-email.ts';
import * as sharedConversions from './2026-12-02-003-shared-conversions.ts';
import * as entryFiles from './2026-12-02-004-entry-files.ts';
import * as covers from './2026-12-02-005-covers.ts';
import * as truncatedFiles from './2026-12-02-006-truncated-files.ts';
import * as ytdlpState from './2026-12-03-007-ytdlp-state.ts';
import * as sitePauses from './2026-12-03-008-site-pauses.ts';
import * as cookiesPool from './2026-12-03-009-cookies-pool.ts';
import * as finishedIndex from './2026-12-03-010-finished-index.ts';
import * as fileTracks from './2026-12-03-011-file-tracks.ts';
import * as access from './2026-12-03-012-access.ts';
import * as unsplitFiles from './2026-12-03-013-unsplit-files.ts';
import * as jobWebhooks from './2026-12-03-014-job-webhooks.ts';
import * as sponsorBlockFiles from './2026-12-03-015-sponsorblock-files.ts';

export const migrations: Record<string, Migration> = {
  '2026-11-24-001-initial': initial,
  '2026-11-24-002-entries-and-email': entriesAndEmail,
  '2026-12-02-003-shared-conversions': sharedConversions,
  '2026-12-02-004-entry-files': entryFiles,
  '2026-12-02-005-covers': covers,
  '2026-12-02-006-truncated-files': truncatedFiles,
  '2026-12-03-007-ytdlp-state': ytdlpState,
  '2026-12-03-008-site-pauses': sitePauses,
  '2026-12-03-009-cookies-pool': cookiesPool,
  '2026-12-03-010-finished-index': finishedIndex,
  '2026-12-03-011-file-tracks': fileTracks,
  '2026-12-03-012-access': access,
  '2026-12-03-013-unsplit-files': unsplitFiles,
  '2026-12-03-014-job-webhooks': jobWebhooks,
  '2026-12-03-015-sponsorblock-files': sponsorBlockFiles,
};
