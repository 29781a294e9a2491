import { JobFailure } from '@flock/errors';
import type { FinishOutcome, JobContext, JobStore } from '@flock/jobs';

/**
 * What every processor does with an error from its work. A JobFailure is the job's
 * answer (the asker can act on it), so it is stored and the attempt ends normally;
 * retrying would only repeat it. Anything else is rethrown so BullMQ's retry and
 * stalled handling can work, but on the last attempt it is first stored as
 * execution_failed with `unexpected`, so no job is left reading `processing`.
 */
export async function recordFailure(
  store: JobStore,
  jobId: string,
  error: unknown,
  context: JobContext,
  unexpected: string,
): Promise<{ outcome: FinishOutcome; code: JobFailure['code'] }> {
  if (error instanceof JobFailure) {
    return { outcome: await store.fail(jobId, error.code, error.message), code: error.code };
  }
  if (context.lastAttempt) await store.fail(jobId, 'execution_failed', unexpected);
  throw error;
}
