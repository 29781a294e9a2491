import { JobFailure, SlotReclaimedError, WorkerStoppingError } from '@flock/errors';
import type { FinishOutcome, JobContext, JobRecord, JobStore } from '@flock/jobs';
import type { Logger } from '@flock/logger';
import { QueryOverrunError } from '@flock/warehouse';
import type { JobOutcome } from './metrics';

export interface JobAttempt {
  store: JobStore;
  jobId: string;
  context: JobContext;
  /** The job's child logger; the skip and failure lines go to it. */
  log: Logger;
  /** What the job is, for those lines: "ask job", "query". */
  what: string;
  /** Stored as execution_failed when an unexpected error ends the last attempt. */
  unexpected: string;
  /** Told how the attempt ended, for metrics (WorkerMetrics.startJob). */
  ended?: (outcome: JobOutcome, code?: string) => void;
  /** The job's record, already being read (see readAhead); read here when unset. */
  record?: Promise<JobRecord | undefined>;
}

const STOPPED_MESSAGE = 'The workers answering this job were shut down before it finished. Try again.';

/**
 * One attempt at a job that answers into its record, the same way for every processor:
 *
 * - a record that is gone or already final (expired, answered before a redelivery, or
 *   timed out) is skipped;
 * - a JobFailure from `work` is the job's answer (the asker can act on it), so it is
 *   stored and the attempt ends normally; retrying would only repeat it;
 * - anything else is rethrown so BullMQ's retry and stalled handling can work, but on
 *   the last attempt it is first stored as execution_failed, so no job is left
 *   reading `processing`;
 * - a query interrupted because this worker is shutting down is the same, but its job
 *   was not at fault: it goes back to the queue for another worker, and on the last
 *   attempt it is stored as worker_timeout, which tells the asker to try again;
 * - a query stopped because its borrowed slot was taken back ends the attempt alone:
 *   the caller puts the job back to wait for a slot, so nothing is stored;
 * - a query that overran its limit is answered at once, but the attempt ends only once
 *   DuckDB has let go of it, so the job, and the tenant's slot, stay taken meanwhile.
 */
export async function attemptJob<R>(attempt: JobAttempt, work: (record: JobRecord) => Promise<R>): Promise<R | FinishOutcome | 'skipped'> {
  const { store, jobId, context, log, what } = attempt;
  const ended = attempt.ended ?? (() => undefined);
  const record = await (attempt.record ?? store.get(jobId));
  if (!record || record.status !== 'processing') {
    log.info({ status: record?.status ?? 'missing' }, `${what} skipped`);
    ended('skipped');
    return 'skipped';
  }
  const started = Date.now();
  try {
    const answered = await work(record);
    ended('completed');
    return answered;
  } catch (error) {
    if (error instanceof SlotReclaimedError) {
      ended('interrupted', 'slot_reclaimed');
      throw error;
    }
    if (error instanceof WorkerStoppingError) {
      log.warn({ event: 'job_interrupted', lastAttempt: context.lastAttempt }, `${what} interrupted by this worker's shutdown`);
      ended('interrupted', 'worker_timeout');
      if (context.lastAttempt) await store.fail(jobId, 'worker_timeout', STOPPED_MESSAGE);
      throw error;
    }
    if (!(error instanceof JobFailure)) {
      ended('error', 'execution_failed');
      if (context.lastAttempt) await store.fail(jobId, 'execution_failed', attempt.unexpected);
      throw error;
    }
    ended('failed', error.code);
    const outcome = await store.fail(jobId, error.code, error.message);
    log.info({ outcome, errorCode: error.code, durationMs: Date.now() - started }, `${what} failed`);
    if (error instanceof QueryOverrunError) await error.settled;
    return outcome;
  }
}

/**
 * Starts reading the job's record now, for an attempt that begins once its bucket's
 * slot is granted: issued in the same tick as the slot's request, both go to Redis in
 * one write (the store's client pipelines), and the attempt does not wait a second
 * round trip for its record. A read that is never awaited (the job was postponed)
 * must not fail the process as an unhandled rejection.
 */
export function readAhead(store: JobStore, jobId: string): Promise<JobRecord | undefined> {
  const record = store.get(jobId);
  record.catch(() => undefined);
  return record;
}

/**
 * The level of a job's "answered" line. A stored answer is logged at debug: the API's
 * access line and flock_job_duration_seconds already record it (an ask's Bull Board log
 * too), and a line per ask cost about 0.4 ms of a worker's CPU (bench/throughput at info).
 * An answer that came too late or twice (timed_out, already_finished, missing) is
 * recorded nowhere else, so it stays at info, as skips and failures do (attemptJob).
 */
export function answeredLevel(outcome: FinishOutcome): 'debug' | 'info' {
  return outcome === 'stored' ? 'debug' : 'info';
}
