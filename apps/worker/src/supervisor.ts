import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from '@flock/logger';

/**
 * How long a worker process that announced its exit may take to be gone before it is
 * killed. A query stuck in DuckDB keeps a thread that Node's exit waits for forever
 * (libuv joins its thread pool on the way out), so only SIGKILL ends such a process.
 */
const EXIT_GRACE_MS = 3_000;
/**
 * A worker told to stop exits within this of its drain deadline: its running queries
 * are interrupted at the deadline, and it has this long to hand their jobs back and
 * close its connections. Past it the supervisor kills it, so a worker that cannot
 * close (Redis gone, a query stuck in DuckDB) never holds up a rollout.
 */
export const EXIT_AFTER_DRAIN_MS = 1_000;
/** The worker process's own hard exit comes this much earlier, so it usually exits by itself, with its last log lines. */
const OWN_EXIT_MARGIN_MS = 250;
/** Restart delays after a crash: doubling up to a ceiling, and back to the first once a process has lived a while. */
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
const HEALTHY_AFTER_MS = 60_000;

interface ExitingMessage {
  flockWorkerExiting: number;
}

function isExiting(message: unknown): message is ExitingMessage {
  return typeof message === 'object' && message !== null && 'flockWorkerExiting' in message;
}

export interface SupervisorOptions {
  /** The worker process's entry point, forked with this process's Node flags. */
  entry: string;
  logger: Logger;
  /** FLOCK_SHUTDOWN_TIMEOUT_SECONDS: how long the worker process may drain on SIGTERM. */
  drainMs: number;
  /** The worker process's environment (see workerEnv). Unset: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Told of each worker process forked, and whether it replaces one (see WorkerProcessProbe). */
  onStart?: (child: ChildProcess, restart: boolean) => void;
}

/**
 * Keeps one worker process running: it restarts it after a recycle at once, and after
 * a crash with backoff, and passes SIGTERM on when it is itself stopped. The worker
 * process is what does the work; this one holds no connection and runs no query, so
 * it can always end what the worker process cannot (see EXIT_GRACE_MS). Operators run
 * one per container, as before: replicas scale the same way.
 */
export class WorkerSupervisor {
  private child?: ChildProcess;
  private stopping = false;
  private backoffMs = FIRST_BACKOFF_MS;
  private restart?: NodeJS.Timeout;
  private forks = 0;

  constructor(private readonly options: SupervisorOptions) {}

  start(): void {
    const { logger } = this.options;
    const started = Date.now();
    const child = fork(this.options.entry, [], { stdio: 'inherit', ...(this.options.env ? { env: this.options.env } : {}) });
    this.child = child;
    this.options.onStart?.(child, this.forks++ > 0);
    let announced: NodeJS.Timeout | undefined;
    child.on('message', (message) => {
      if (isExiting(message)) announced ??= setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(announced);
      this.child = undefined;
      if (this.stopping) return;
      // A process that chose to go (a recycle) comes back at once; a crash, after a pause that grows while it keeps crashing.
      const chose = announced !== undefined;
      if (Date.now() - started >= HEALTHY_AFTER_MS) this.backoffMs = FIRST_BACKOFF_MS;
      const delayMs = chose ? 0 : this.backoffMs;
      if (!chose) this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
      logger.warn({ event: 'worker_process_exited', code, signal, restartInMs: delayMs }, 'worker process exited; starting another');
      this.restart = setTimeout(() => this.start(), delayMs);
    });
  }

  /** Stops the worker process the way SIGTERM stops it, and resolves with its exit code. */
  async stop(signal: NodeJS.Signals): Promise<number> {
    if (this.stopping) return new Promise<number>(() => undefined);
    this.stopping = true;
    clearTimeout(this.restart);
    const child = this.child;
    if (!child) return 0;
    this.options.logger.info({ event: 'supervisor_stopping', signal }, 'stopping the worker process');
    const backstop = setTimeout(() => child.kill('SIGKILL'), this.options.drainMs + EXIT_AFTER_DRAIN_MS);
    const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
    child.kill('SIGTERM');
    const code = await exited;
    clearTimeout(backstop);
    return code;
  }
}

/** In the worker process: when it exits regardless, counted from SIGTERM (see EXIT_AFTER_DRAIN_MS). */
export function ownExitDeadlineMs(drainMs: number): number {
  return drainMs + EXIT_AFTER_DRAIN_MS - OWN_EXIT_MARGIN_MS;
}

/**
 * In the worker process: announces the exit to the supervisor, which kills the process
 * should exiting hang on a stuck query, then exits. Without a supervisor, just exits.
 */
export function exitUnderSupervisor(code: number): void {
  if (!process.send || !process.connected) process.exit(code);
  const message: ExitingMessage = { flockWorkerExiting: code };
  process.send(message, undefined, {}, () => process.exit(code));
}

/**
 * In the worker process: goes when its supervisor goes. A supervisor killed outright
 * (SIGKILL, the OOM killer) cannot stop it, and an orphan would go on taking jobs
 * nobody manages; ending as abruptly leaves its jobs to BullMQ's stalled-job recovery.
 */
export function stopWithSupervisor(): void {
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}

/**
 * The worker process's environment: this one's, with glibc held to two malloc arenas
 * unless the operator chose otherwise. DuckDB allocates from many threads, and with an
 * arena per thread the memory it frees (a detached tenant's pages) stays in the
 * process: at 1,000 buckets a worker's RSS measured 1,088 MB with the default and 794 MB
 * with two arenas (bench:throughput).
 */
export function workerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2' };
}
