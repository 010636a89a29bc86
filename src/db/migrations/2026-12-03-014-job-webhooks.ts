/**
 * A job may name a webhook, called when its work ends (src/jobs/webhooks.ts), and records why the
 * call could not be delivered once its retries are used up, as it does for its email.
 *
 * Self-contained, like every migration: it must keep meaning what it meant when it ran.
 */
import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: a migration must not depend on today's table types.
type AnyDatabase = any;

export async function up(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('webhook_url', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('webhook_error', 'text').execute();
}

export async function down(db: Kysely<AnyDatabase>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('webhook_error').execute();
  await db.schema.alterTable('jobs').dropColumn('webhook_url').execute();
}
