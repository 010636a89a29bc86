/**
 * `ytconv run` (what `make run` starts): everything one machine needs, in the foreground. Redis
 * (the configured one, or a private one), the database migrated, then a web and a worker process,
 * exactly as they would run on separate hosts. Ctrl-C stops them all; running jobs are handed back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { openDatabase } from '../db/connect.ts';
import { migrate } from '../db/migrate.ts';
import { createLogger } from '../log.ts';
import { ensureRedis } from '../redis-local.ts';

export async function runAll(config: Config, mainScript: string): Promise<number> {
  const logger = createLogger('run', config.service.logLevel);
  const log = (line: string) => logger.info(line);
  const redis = await ensureRedis(
    config.service.redisUrl,
    join(config.root, 'var', 'redis'),
    config.service.redisServer,
  );
  if (redis.private) log(`started a private Redis at ${redis.url} (data in var/redis)`);
  const db = openDatabase(config.service.databaseUrl);
  const migrated = await migrate(db);
  await db.destroy();
  if (!migrated.ok) {
    await redis.stop();
    logger.error(`the database could not be migrated: ${migrated.error.message}`);
    return 1;
  }
  // Own process groups: Ctrl-C reaches only this process, which passes it on once (a second
  // signal would make them exit at once instead of handing running jobs back).
  const children = ['web', 'worker'].map((role) =>
    // They inherit this environment; a private Redis listens at REDIS_URL itself.
    spawn(process.execPath, [mainScript, role], { stdio: 'inherit', detached: true }),
  );
  log(`running at ${config.service.publicUrl} (Ctrl-C stops everything)`);
  const code = await supervise(children);
  await redis.stop();
  return code;
}

/** Wait for the children; a signal, or one child ending, stops the others. */
function supervise(children: ChildProcess[]): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    let failed = false;
    let left = children.length;
    const stopAll = (signal: NodeJS.Signals): void => {
      stopping = true;
      for (const child of children) if (child.exitCode === null) child.kill(signal);
    };
    process.on('SIGINT', () => stopAll('SIGINT'));
    process.on('SIGTERM', () => stopAll('SIGTERM'));
    for (const child of children) {
      child.once('exit', (code) => {
        if (!stopping) {
          failed = true;
          stopAll('SIGTERM');
        }
        failed ||= code !== 0 && code !== null && code !== 130;
        if (--left === 0) resolve(failed ? 1 : 0);
      });
    }
  });
}
