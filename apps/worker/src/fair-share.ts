import type { JobContext, TenantSlots } from '@flock/jobs';

export type SlotKind = 'ask' | 'query';

/**
 * How long a postponed job waits, at least, if no release wakes it first (the releaser
 * died, or the slot freed before the job was listed); jittered so waiters do not march
 * in step.
 */
const RETRY_MS = 500;

/**
 * Runs a bucket's job only while the bucket holds fewer than its cap of such jobs
 * across every worker; otherwise the job goes back to the queue, freeing this worker
 * for other tenants' jobs, until a slot of its bucket frees and wakes it. A tenant
 * flooding slow queries thus occupies at most its own slots, never the whole pool.
 */
export function fairShare(slots: TenantSlots, caps: Readonly<Record<SlotKind, number>>) {
  return async <T>(kind: SlotKind, bucket: string, jobId: string, context: JobContext, run: () => Promise<T>): Promise<T> => {
    if (!(await slots.acquire(bucket, kind, jobId, caps[kind]))) {
      // Listed only once it is delayed, so the release that picks it can always wake it.
      return context.postpone(RETRY_MS + Math.random() * RETRY_MS, () => slots.wait(bucket, kind, jobId));
    }
    try {
      return await run();
    } finally {
      // The freed slot goes to the bucket's longest-waiting job now, not when its delay runs out.
      const next = await slots.release(bucket, kind, jobId).catch(() => undefined);
      if (next) await context.wake(next).catch(() => undefined);
    }
  };
}
