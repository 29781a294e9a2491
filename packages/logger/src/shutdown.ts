import type { Logger } from './logger';

/** How long the last log lines may take to be written before the process exits without them. */
const FLUSH_WITHIN_MS = 500;

export interface ShutdownOptions {
  /** How the process ends once stopped. Default process.exit; a supervised process tells its supervisor first. */
  exit?: (code: number) => void;
  /** When the process exits 1 regardless, counted from the signal: its drain time and time to close connections. */
  deadlineMs: number;
}

/**
 * On the first SIGTERM or SIGINT, or the first call of the function it returns (a
 * reason of the process's own, such as a recycle), runs `stop` (which drains in-flight
 * work, then closes connections) and exits 0, or 1 when stopping failed. Later signals
 * are ignored: a second Ctrl-C must not start a second, overlapping shutdown. A stop
 * still running at `deadlineMs` exits 1 anyway: closing a connection to a Redis that
 * never answered can wait forever, and a process that ignores SIGTERM is a wedge its
 * orchestrator must SIGKILL.
 */
export function onShutdownSignal(
  logger: Logger,
  stop: (reason: string) => Promise<void>,
  options: ShutdownOptions,
): (reason: string) => void {
  const end = options.exit ?? ((code: number) => process.exit(code));
  // The last lines (why it stopped) are written first, unless the log cannot take them soon.
  let ending = false;
  const endOnce = (code: number) => {
    if (!ending) end(code);
    ending = true;
  };
  const exit = (code: number) => {
    setTimeout(() => endOnce(code), FLUSH_WITHIN_MS).unref();
    logger.flush(() => endOnce(code));
  };
  const { deadlineMs } = options;
  let stopping = false;
  const shutdown = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ event: 'shutting_down', reason }, 'shutting down');
    setTimeout(() => {
      logger.error({ event: 'shutdown_deadline', reason, afterMs: deadlineMs }, 'shutdown did not finish; exiting anyway');
      exit(1);
    }, deadlineMs).unref();
    stop(reason)
      .then(() => exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      });
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => shutdown(signal));
  return shutdown;
}
