import type { Logger } from 'pino';

/** Kinds of error tracked at once; past this, new kinds are counted together. */
const MAX_KINDS = 64;

interface Kind {
  error: ErrorSummary;
  repeats: number;
}

interface ErrorSummary {
  type: string;
  code?: string;
  message: string;
}

/** What of an error may reach a log: its type, code and first line. BullMQ's errors can carry a whole Lua script or a job's payload. */
export function summarizeError(error: unknown): ErrorSummary {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error).split('\n')[0]!.slice(0, 300) };
  const code = (error as NodeJS.ErrnoException).code;
  return { type: error.name, ...(code ? { code: String(code) } : {}), message: error.message.split('\n')[0]!.slice(0, 300) };
}

/**
 * A log for errors that can come many times a second for one cause (Redis refusing
 * every write, a connection retried in a loop): each kind is logged at once the first
 * time, then at most once per `intervalMs` with how many more came, never with a stack.
 * An outage thus costs a few lines, not thousands, and the log disk survives it.
 */
export class RepeatedErrorLog {
  private readonly kinds = new Map<string, Kind>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    private readonly message: string,
    private readonly intervalMs = 5_000,
  ) {
    this.timer = setInterval(() => this.report(), intervalMs);
    this.timer.unref();
  }

  /** Logs `error` now if its kind is new in this interval, and counts it otherwise. */
  readonly log = (error: unknown): void => {
    const summary = summarizeError(error);
    const key = this.kinds.size < MAX_KINDS ? `${summary.type}\0${summary.code ?? ''}\0${summary.message}` : 'other';
    const kind = this.kinds.get(key);
    if (kind) {
      kind.repeats++;
      return;
    }
    this.kinds.set(key, { error: summary, repeats: 0 });
    this.logger.error({ error: summary }, this.message);
  };

  private report(): void {
    for (const [key, kind] of this.kinds) {
      if (kind.repeats > 0) this.logger.error({ error: kind.error, repeated: kind.repeats, withinMs: this.intervalMs }, this.message);
      this.kinds.delete(key);
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.report();
  }
}
