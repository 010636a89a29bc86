/** The database as Kysely sees it: one table type per file under `tables/`. */
import type { Kysely, Transaction } from 'kysely';
import type { AdminsTable } from './tables/admins.ts';
import type { ApiKeysTable } from './tables/api-keys.ts';
import type { ConversionFilesTable } from './tables/conversion-files.ts';
import type { ConversionsTable } from './tables/conversions.ts';
import type { CookiesPoolTable } from './tables/cookies-pool.ts';
import type { JobsTable } from './tables/jobs.ts';
import type { SiteStatesTable } from './tables/site-states.ts';
import type { YtdlpStateTable } from './tables/ytdlp-state.ts';

export interface Database {
  conversions: ConversionsTable;
  conversion_files: ConversionFilesTable;
  jobs: JobsTable;
  admins: AdminsTable;
  ytdlp_state: YtdlpStateTable;
  site_states: SiteStatesTable;
  cookies_pool: CookiesPoolTable;
  api_keys: ApiKeysTable;
}

/** What every repository function takes, so callers can compose them inside one transaction. */
export type Db = Kysely<Database> | Transaction<Database>;

/** Run `work` in a transaction, or inside the caller's when `db` already is one. */
export function inTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  // Kysely refuses nested transaction() calls; joining the caller's keeps its atomicity.
  return db.isTransaction ? work(db as Transaction<Database>) : db.transaction().execute(work);
}
