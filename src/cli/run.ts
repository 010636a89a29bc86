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
import { createLogger, type Logger } from '../log.ts';
import { ensureRedis } from '../redis-local.ts';

export async function runAll(config: Config): Promise<number> {
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
  log(`running at ${config.service.publicUrl} (Ctrl-C stops everything)`);
  const code = await supervise(['web', 'worker'], join(config.root, 'bin', 'ytconv'), logger);
  await redis.stop();
  return code;
}

/** A child that died this often within the window is not started again: something is wrong. */
const RESTARTS = { max: 5, windowMs: 60_000 };

/**
 * Run the web and worker processes until a signal; one that dies (a crash, the OOM killer, a
 * kill -9) is started again, so that one machine keeps serving, unless it keeps dying. They run
 * in process groups of their own: Ctrl-C reaches only this process, which passes it on once (a
 * second signal would make them exit at once instead of handing running jobs back).
 */
function supervise(roles: string[], launcher: string, log: Logger): Promise<number> {
  return new Promise((resolve) => {
    const running = new Map<string, ChildProcess>();
    const deaths = new Map<string, number[]>(roles.map((role) => [role, []]));
    let stopping = false;
    let failed = false;
    const stopAll = (signal: NodeJS.Signals): void => {
      stopping = true;
      for (const child of running.values()) child.kill(signal);
      if (running.size === 0) resolve(failed ? 1 : 0);
    };
    const launch = (role: string): void => {
      // They inherit this environment; a private Redis listens at REDIS_URL itself. bin/ytconv
      // chooses the Node, the bundle or the sources, and a role's Node flags, as for a role
      // started on its own (it execs Node, so the child is the Node process).
      const child = spawn(launcher, [role], { stdio: 'inherit', detached: true });
      running.set(role, child);
      child.once('exit', (code, signal) => {
        running.delete(role);
        if (stopping) {
          failed ||= code !== 0 && code !== null && code !== 130;
          if (running.size === 0) resolve(failed ? 1 : 0);
          return;
        }
        const recent = (deaths.get(role) ?? []).filter((at) => at > Date.now() - RESTARTS.windowMs);
        deaths.set(role, [...recent, Date.now()]);
        if (recent.length + 1 >= RESTARTS.max) {
          log.error({ child: role, code, signal }, `the ${role} process keeps dying; stopping everything`);
          failed = true;
          return stopAll('SIGTERM');
        }
        log.warn(
          { child: role, code, signal },
          `the ${role} process died (${signal ?? `exit ${code}`}); starting it again`,
        );
        launch(role);
      });
    };
    process.on('SIGINT', () => stopAll('SIGINT'));
    process.on('SIGTERM', () => stopAll('SIGTERM'));
    for (const role of roles) launch(role);
  });
}
