import { SlotReclaimedError } from '@flock/errors';
import type { JobContext, SlowMarks, TenantSlots } from '@flock/jobs';

export type SlotKind = 'ask' | 'query';

/**
 * How long a postponed job waits, at least, if no release wakes it first (the releaser
 * died, or the slot freed before the job was listed); jittered so waiters do not march
 * in step.
 */
const RETRY_MS = 500;

/**
 * A job still running after this marks its bucket slow, and no slot is lent to the
 * bucket while the mark lasts. A lent slot is one another bucket's next job may need:
 * while the borrower's jobs end this fast, that job waits at most this long for one.
 */
const FAST_MS = 250;

/**
 * How long a slow mark lasts: 5 s the first time, and twice as long for each new mark
 * (set once the last lapsed) within two minutes of the last, at most a minute; a slow
 * job renews the mark it finds, at its length. A single
 * minute-long mark made one bucket's load started with its workers (asks over 250 ms
 * while they compiled and prefetched) run every ask over the cap through the queue twice
 * for the minute after.
 */
const SLOW_MARKS: SlowMarks = { firstMs: 5_000, mostMs: 60_000, memoryMs: 120_000 };

export interface FairShareLimits {
  /** Jobs of each kind one bucket runs at once across every worker (FLOCK_TENANT_CONCURRENCY, …). */
  caps: Readonly<Record<SlotKind, number>>;
  /** Slots of this worker lent at once to jobs beyond their bucket's cap; 0 keeps the cap strict. */
  lend: number;
  /** How long an ask keeps a lent slot before it is taken back (FLOCK_TENANT_BORROW_MS); FAST_MS when unset. */
  fastMs?: number;
}

/** The job fairShare runs: its kind, its bucket and id, its context, and whether it may borrow at all. */
export interface FairJob {
  kind: SlotKind;
  bucket: string;
  jobId: string;
  context: JobContext;
  /** False for a job whose work waits on a service (an LLM): it would lose that wait if its slot were taken back. */
  lendable: boolean;
}

/**
 * Runs a bucket's job only while the bucket holds fewer than its cap of such jobs
 * across every worker; otherwise the job goes back to the queue, freeing this worker
 * for other tenants' jobs, until a slot of its bucket frees and wakes it. A tenant
 * flooding slow queries thus occupies at most its own slots, never the whole pool.
 *
 * The cap is work-conserving: a bucket alone in the queue may borrow this worker's
 * idle slots rather than bounce through the delayed set while they stay idle. A slot
 * is lent only while every job waiting in the queue is the same bucket's and its jobs
 * end within FAST_MS, and at most `lend` of this worker's slots are out at once. A job
 * still running in a lent slot at FAST_MS marks its bucket slow and is stopped (`run`'s
 * signal aborts with SlotReclaimedError) and put back to wait for a slot of its own.
 * So another bucket's job that arrives finds a slot within about FAST_MS, whatever the
 * borrower's jobs turn out to be, save a query that ignores DuckDB's interrupt: its work
 * goes on, so its slot stays taken until DuckDB lets go, as at its time limit.
 */
export function fairShare(slots: TenantSlots, limits: FairShareLimits) {
  let lent = 0;

  /**
   * Takes one of this worker's slots for the job, if one may be lent now; false when not.
   * A Redis failure fails the attempt, as a failed acquire does, rather than pass for "not alone".
   */
  async function borrow({ kind, bucket, jobId, context }: FairJob): Promise<boolean> {
    if (lent >= limits.lend) return false;
    lent++; // counted before the awaits, so that two jobs cannot both take the last one
    let taken = false;
    try {
      if (await context.onlyWaiting(bucket)) {
        await slots.borrow(bucket, kind, jobId);
        taken = true;
      }
      return taken;
    } finally {
      if (!taken) lent--;
    }
  }

  const postpone = ({ kind, bucket, jobId, context }: FairJob) =>
    // Listed only once it is delayed, so the release that picks it can always wake it.
    context.postpone(RETRY_MS + Math.random() * RETRY_MS, () => slots.wait(bucket, kind, jobId));

  return async <T>(job: FairJob, run: (reclaim?: AbortSignal) => Promise<T>): Promise<T> => {
    const { kind, bucket, jobId, context } = job;
    const grant = await slots.acquire(bucket, kind, jobId, limits.caps[kind]);
    const borrowed = grant === 'full' && job.lendable && (await borrow(job));
    if (grant !== 'held' && !borrowed) return postpone(job);
    const reclaim = borrowed ? new AbortController() : undefined;
    const slow =
      job.lendable && limits.lend > 0
        ? setTimeout(() => {
            void slots.markSlow(bucket, kind, SLOW_MARKS).catch(() => undefined);
            reclaim?.abort(new SlotReclaimedError());
          }, limits.fastMs ?? FAST_MS)
        : undefined;
    slow?.unref(); // a worker closing with the job still running need not wait for it
    try {
      return await run(reclaim?.signal);
    } catch (error) {
      if (!(error instanceof SlotReclaimedError)) throw error;
    } finally {
      clearTimeout(slow);
      if (borrowed) lent--;
      // The freed slot goes to the bucket's longest-waiting job now, not when its delay runs out.
      const next = await slots.release(bucket, kind, jobId, limits.caps[kind]).catch(() => undefined);
      if (next) await context.wake(next).catch(() => undefined);
    }
    return postpone(job);
  };
}
