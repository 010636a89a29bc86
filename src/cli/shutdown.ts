/**
 * One way to stop a long-running process: on SIGINT or SIGTERM run `close` once, with a deadline;
 * a second signal, or the deadline passing, exits at once.
 */
export function closeOnSignals(close: () => Promise<void>, deadlineMs: number, log: (line: string) => void): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    closing = true;
    log(`${signal}: stopping (at most ${Math.round(deadlineMs / 1000)} s)`);
    const timer = setTimeout(() => {
      log('could not stop in time: exiting');
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`error while stopping: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
