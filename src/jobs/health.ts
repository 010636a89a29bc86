/**
 * Liveness of the service's parts for GET /api/health: the web process itself (it answers), Redis
 * (a count of the queue, on its own connection) and the database (`select 1`). Each check has a
 * deadline, so that a hung Redis or database makes the answer "down" quickly instead of late.
 */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Queues } from '../queue/queues.ts';

export const HEALTH_CHECKS = ['web', 'redis', 'database'] as const;
export type HealthCheckName = (typeof HEALTH_CHECKS)[number];

export interface Health {
  status: 'ok' | 'down';
  checks: Record<HealthCheckName, 'ok' | 'down'>;
}

/** Long enough for a busy but working part, short enough for a load balancer's probe. */
const CHECK_TIMEOUT_MS = 1000;

export function healthCheck(deps: { db: Kysely<Database>; queues: Pick<Queues, 'convert'> }): () => Promise<Health> {
  return async () => {
    const [redis, database] = await Promise.all([
      // A real round trip on the queue's own connection, which fails at once while Redis is away.
      answers(() => deps.queues.convert.count()),
      answers(() => sql`select 1`.execute(deps.db)),
    ]);
    const checks = { web: 'ok', redis, database } as const;
    return { status: redis === 'ok' && database === 'ok' ? 'ok' : 'down', checks };
  };
}

async function answers(probe: () => Promise<unknown>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'down'>((resolve) => {
    timer = setTimeout(() => resolve('down'), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([probe().then((): 'ok' => 'ok'), late]);
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}
