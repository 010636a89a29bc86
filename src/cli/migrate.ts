/** `ytconv migrate`: bring the database named by DATABASE_URL up to date. */
import type { Config } from '../config.ts';
import { openDatabase } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';

/** Prints one line per migration applied, or why it failed; the exit code. */
export async function runMigrate(config: Config): Promise<number> {
  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase(config.service.databaseUrl);
  } catch (err) {
    process.stderr.write(`ytconv migrate: cannot open the database: ${err instanceof Error ? err.message : err}\n`);
    return 1;
  }
  try {
    const result = await migrate(db);
    for (const name of result.applied) process.stdout.write(`applied ${name}\n`);
    if (!result.ok) {
      process.stderr.write(`ytconv migrate: ${result.error.message}\n`);
      return 1;
    }
    if (result.applied.length === 0) process.stdout.write('the database is up to date\n');
    return 0;
  } finally {
    await db.destroy();
  }
}
