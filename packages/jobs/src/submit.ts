import { JobFailure, ServiceUnavailableError } from '@flock/errors';
import type { JobName, JobPayloads } from './catalog';
import type { JobRecord, NewJob } from './job-record';
import type { JobStore } from './job-store';
import type { JobQueue, WebhookQueue } from './queues';

/**
 * How long past a job's deadline its webhook delivery runs if nothing wakes it sooner:
 * by then the job reads as finished (`worker_timeout` at the latest), whichever clock,
 * Redis's or this process's, is ahead.
 */
export const WEBHOOK_AFTER_DEADLINE_MS = 1_000;

/**
 * Stores a job's record, then enqueues its first step under the same id (and, when it
 * has a callback URL, its webhook delivery, see WebhookQueue). A record no
 * worker will ever pick up would read `processing` for its whole hour, so when the
 * enqueue fails the record is removed again and the caller hears the queue is down.
 * `what` names the job for that message: "question", "query".
 */
export async function submitJob<N extends JobName>(
  store: JobStore,
  queue: JobQueue<N>,
  job: NewJob,
  payload: JobPayloads[N] & { jobId: string },
  what: string,
  webhooks?: WebhookQueue,
): Promise<void> {
  if (job.callbackUrl && !webhooks) throw new Error('a job with a callback_url was submitted without a webhook queue');
  const record = await store.create(job);
  try {
    // Before the job itself, so that no job with a callback runs without its delivery;
    // should the job's add fail, the delivery finds no record at its time and ends.
    if (job.callbackUrl) await webhooks!.schedule(job.id, store.deadlineOf(record) + WEBHOOK_AFTER_DEADLINE_MS - Date.now());
    await queue.add(payload);
  } catch (error) {
    await store.remove(job.id).catch(() => undefined);
    // The cause (which may name internal hosts) is for the log, not the caller.
    throw new ServiceUnavailableError(`The job queue is unavailable; the ${what} was not submitted. Try again shortly.`, error);
  }
}

/**
 * A finished synchronous job's record: its result, or its failure thrown for the error
 * middleware to turn into a status. The store fails a job left processing past the
 * worker timeout, so only an expired record, or a wait cut short, lands in the 503.
 */
export function resultOf<R extends JobRecord>(record: R | undefined, waitMs: number): NonNullable<R['result']> {
  if (record?.status === 'completed' && record.result) return record.result as NonNullable<R['result']>;
  if (record?.status === 'failed') throw new JobFailure(record.errorCode!, record.errorMessage!);
  throw new ServiceUnavailableError(`No worker answered within ${Math.round(waitMs / 1000)} s. Try again shortly.`);
}
