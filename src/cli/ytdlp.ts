/**
 * `ytconv ytdlp status|update|rollback`: the yt-dlp every worker uses, as the service keeps it
 * fresh (src/jobs/ytdlp-updates.ts). `update` is the daily check, run now; `rollback` returns
 * every worker to the previous version from its next conversion on.
 */
import type { Config } from '../config.ts';
import { operatorTeller } from '../jobs/operator-notices.ts';
import { rerunAfterYtdlpSwitch } from '../jobs/parking.ts';
import { jsRuntimeText, type YtdlpStatus, ytdlpStatus } from '../jobs/ytdlp-status.ts';
import { checkForUpdate, rollBackYtdlp, type UpdateDeps } from '../jobs/ytdlp-updates.ts';
import { createLogger } from '../log.ts';
import { openServices } from '../services.ts';
import { formatTime } from '../web/admin/format.ts';

const USAGE = 'usage: ytconv ytdlp status|update|rollback';
/** What `update` ends with that leaves yt-dlp as it should be. */
const FINE = new Set(['switched', 'up_to_date', 'pinned', 'recent']);

const ACTIONS: Record<string, (deps: UpdateDeps) => Promise<number>> = {
  async status(deps) {
    for (const line of statusLines(await ytdlpStatus(deps))) say(line);
    return 0;
  },
  async update(deps) {
    const result = await checkForUpdate(deps, { scheduled: false });
    say(result.message);
    return FINE.has(result.outcome) ? 0 : 1;
  },
  async rollback(deps) {
    const state = await rollBackYtdlp(deps);
    if (state === null) {
      process.stderr.write('ytconv ytdlp: there is no previous version to roll back to\n');
      return 1;
    }
    say(
      `Rolled back to yt-dlp ${state.current_version} (from ${state.previous_version}); the next conversions use it.`,
    );
    return 0;
  },
};

export async function runYtdlp(argv: string[], config: Config): Promise<number> {
  const action = argv.length === 1 && argv[0] !== undefined ? ACTIONS[argv[0]] : undefined;
  if (action === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  // Silent: this command prints what it has to say.
  const log = createLogger('run', 'silent');
  const services = await openServices(config, 'web', log);
  const { db } = services;
  try {
    const deps: UpdateDeps = {
      db,
      storage: services.storage,
      engine: config.engine,
      settings: config.service.ytdlpUpdates,
      log,
      // Like the worker's daily check, a canary that fails here is told to the operator too.
      tellOperator: operatorTeller({ queues: services.queues, operator: config.service.operator, log }),
      onSwitched: () =>
        rerunAfterYtdlpSwitch(services, (count) =>
          say(`${count} conversion(s) that failed on the old yt-dlp's extractor run again with this one.`),
        )().catch(() =>
          say(
            'The conversions that failed on the old extractor could not be queued now (is Redis up?); they retry within a day.',
          ),
        ),
    };
    return await action(deps);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`ytconv ytdlp: cannot use the database (${message}); has \`ytconv migrate\` been run?\n`);
    return 1;
  } finally {
    await services.close();
  }
}

export function statusLines(status: YtdlpStatus): string[] {
  const age = status.ageDays === null ? 'age unknown' : `${status.ageDays} days old`;
  const origin = status.since
    ? `installed by ytconv (${status.since.how}) ${formatTime(status.since.at)}`
    : 'the configured one';
  const { lastCheck: check, lastCanary: canary } = status;
  return [
    `yt-dlp ${status.version ?? 'does not run'}, ${age}: ${origin}`,
    `  file: ${status.path}`,
    ...(status.version === null ? [] : [`  JS runtime: ${jsRuntimeText(status.jsRuntime)}`]),
    ...(status.previous === null ? [] : [`  previous: ${status.previous} (ytconv ytdlp rollback returns to it)`]),
    `updates: ${status.updates}`,
    check === null ? 'last check: never' : `last check: ${formatTime(check.at)}, ${check.outcome}: ${check.message}`,
    canary === null
      ? 'last canary: never'
      : `last canary: ${formatTime(canary.at)}, yt-dlp ${canary.version} ${canary.passed ? 'passed' : 'failed'}: ${canary.message}`,
  ];
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
