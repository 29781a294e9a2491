import { ServiceUnavailableError } from '@flock/errors';
import type { JobName, JobPayloads } from './catalog';
import type { NewJob } from './job-record';
import type { JobStore } from './job-store';
import type { JobQueue } from './queues';

/**
 * Stores a job's record, then enqueues its first step under the same id. A record no
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
): Promise<void> {
  await store.create(job);
  try {
    await queue.add(payload);
  } catch (error) {
    await store.remove(job.id).catch(() => undefined);
    // The cause (which may name internal hosts) is for the log, not the caller.
    throw new ServiceUnavailableError(`The job queue is unavailable; the ${what} was not submitted. Try again shortly.`, error);
  }
}
