import type { JobContext, TenantSlots } from '@flock/jobs';

export type SlotKind = 'ask' | 'query';

/** How long a job waits, at least, before asking for a slot again; jittered so waiters do not march in step. */
const RETRY_MS = 150;

/**
 * Runs a bucket's job only while the bucket holds fewer than its cap of such jobs
 * across every worker; otherwise the job goes back to the queue for a moment, freeing
 * this worker for other tenants' jobs. A tenant flooding slow queries thus occupies at
 * most its own slots, never the whole pool.
 */
export function fairShare(slots: TenantSlots, caps: Readonly<Record<SlotKind, number>>) {
  return async <T>(kind: SlotKind, bucket: string, jobId: string, context: JobContext, run: () => Promise<T>): Promise<T> => {
    if (!(await slots.acquire(bucket, kind, jobId, caps[kind]))) return context.postpone(RETRY_MS + Math.random() * RETRY_MS);
    try {
      return await run();
    } finally {
      await slots.release(bucket, kind, jobId).catch(() => undefined);
    }
  };
}
