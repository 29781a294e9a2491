import type { Logger } from './logger';

/** Past the drain deadline, how long closing connections may take before the process exits regardless. */
const CLOSE_GRACE_MS = 5_000;

/**
 * On the first SIGTERM or SIGINT, runs `stop` (which drains in-flight work up to
 * `drainMs`, then closes connections) and exits 0, or 1 when stopping failed. Later
 * signals are ignored: a second Ctrl-C must not start a second, overlapping shutdown.
 * A stop still running `drainMs` plus a few seconds later exits 1 anyway: closing a
 * connection to a Redis that never answered can wait forever, and a process that
 * ignores SIGTERM is a wedge its orchestrator must SIGKILL.
 */
export function onShutdownSignal(logger: Logger, drainMs: number, stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      setTimeout(() => {
        logger.error({ event: 'shutdown_deadline', signal, afterMs: drainMs + CLOSE_GRACE_MS }, 'shutdown did not finish; exiting anyway');
        process.exit(1);
      }, drainMs + CLOSE_GRACE_MS).unref();
      stop(signal)
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        });
    });
  }
}
