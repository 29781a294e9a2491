import type { FlockRedis } from './redis-client';
import { jobFinishedChannel } from './ids';

/**
 * Hears, on one subscribed connection, of every job whose final state is stored (the
 * job store publishes its id), so a client that asks to wait on a job is answered as
 * soon as it finishes instead of polling. Ids only cross the channel, never results; a
 * missed message costs a waiter its wait, never a wrong answer, as the record is read
 * again after it.
 */
export class JobFinishes {
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;

  /** `subscriber` becomes a subscriber connection: it can send no other command. */
  constructor(
    private readonly subscriber: FlockRedis,
    prefix: string,
  ) {
    subscriber.on('message', (_channel: string, jobId: string) => this.wake(jobId));
    // A failed subscribe (Redis away) leaves waits to run out their time; ioredis resubscribes on reconnect.
    void subscriber.subscribe(jobFinishedChannel(prefix)).catch(() => undefined);
  }

  /**
   * Resolves once the job is announced finished, after `ms`, at close, or when `gone`
   * aborts (the client went away), whichever comes first. Call `cancel` when no longer
   * waiting (the record was already final).
   */
  wait(jobId: string, ms: number, gone?: AbortSignal): { finished: Promise<void>; cancel(): void } {
    let wake = () => undefined as void;
    const finished = new Promise<void>((resolve) => (wake = resolve));
    if (this.closed || gone?.aborted) {
      wake();
      return { finished, cancel: () => undefined };
    }
    const timer = setTimeout(() => cancel(), ms);
    const set = this.waiters.get(jobId) ?? new Set();
    set.add(wake);
    this.waiters.set(jobId, set);
    const cancel = () => {
      clearTimeout(timer);
      gone?.removeEventListener('abort', cancel);
      set.delete(wake);
      if (set.size === 0 && this.waiters.get(jobId) === set) this.waiters.delete(jobId);
      wake();
    };
    gone?.addEventListener('abort', cancel, { once: true });
    void finished.then(cancel);
    return { finished, cancel };
  }

  /** How many jobs have a wait held on them now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Answers every waiter now, and every later wait at once: the process is draining. */
  release(): void {
    this.closed = true;
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
    this.waiters.clear();
  }

  /** Releases the waiters and stops listening. */
  async close(): Promise<void> {
    this.release();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private wake(jobId: string): void {
    for (const wake of [...(this.waiters.get(jobId) ?? [])]) wake();
  }
}
