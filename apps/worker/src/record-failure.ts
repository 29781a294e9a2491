import { JobFailure } from '@flock/errors';
import type { FinishOutcome, JobContext, JobStore } from '@flock/jobs';
import { QueryOverrunError } from '@flock/warehouse';

/**
 * What every processor does with an error from its work. A JobFailure is the job's
 * answer (the asker can act on it), so it is stored and the attempt ends normally;
 * retrying would only repeat it. Anything else is rethrown so BullMQ's retry and
 * stalled handling can work, but on the last attempt it is first stored as
 * execution_failed with `unexpected`, so no job is left reading `processing`.
 * A query that overran its limit is answered at once but returns only once DuckDB has
 * let go of it, so the job, and the tenant's slot, stay taken while it still runs.
 */
export async function recordFailure(
  store: JobStore,
  jobId: string,
  error: unknown,
  context: JobContext,
  unexpected: string,
): Promise<{ outcome: FinishOutcome; code: JobFailure['code'] }> {
  if (error instanceof JobFailure) {
    const outcome = await store.fail(jobId, error.code, error.message);
    if (error instanceof QueryOverrunError) await error.settled;
    return { outcome, code: error.code };
  }
  if (context.lastAttempt) await store.fail(jobId, 'execution_failed', unexpected);
  throw error;
}
