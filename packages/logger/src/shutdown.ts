import type { Logger } from './logger';

/**
 * On the first SIGTERM or SIGINT, runs `stop` (which drains in-flight work up to its own
 * deadline) and exits 0, or 1 when stopping failed. Later signals are ignored: a second
 * Ctrl-C must not start a second, overlapping shutdown.
 */
export function onShutdownSignal(logger: Logger, stop: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      stop(signal)
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        });
    });
  }
}
