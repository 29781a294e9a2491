/**
 * Why a job ended `failed`. These codes are part of the public poll contract
 * (`data.error_code`), so they are stable: add new ones, never rename.
 */
export const JOB_FAILURE_CODES = ['generation_failed', 'validation_failed', 'execution_failed', 'query_timeout', 'worker_timeout'] as const;

export type JobFailureCode = (typeof JOB_FAILURE_CODES)[number];

/**
 * A failure the job itself explains to the caller. Thrown by the SQL generators,
 * the validator and the sandbox; the worker stores `code` and `message` verbatim in
 * the job record, so messages must be safe to show to the tenant who asked and must
 * never contain another tenant's data.
 */
export class JobFailure extends Error {
  constructor(
    readonly code: JobFailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'JobFailure';
  }
}

export class GenerationFailedError extends JobFailure {
  constructor(message: string) {
    super('generation_failed', message);
  }
}

export class ValidationFailedError extends JobFailure {
  constructor(message: string) {
    super('validation_failed', message);
  }
}

export class ExecutionFailedError extends JobFailure {
  constructor(message: string) {
    super('execution_failed', message);
  }
}

export class QueryTimeoutError extends JobFailure {
  constructor(message: string) {
    super('query_timeout', message);
  }
}

/**
 * Not a JobFailure: the job has no answer yet because the worker running it is
 * shutting down and interrupted its query. The job goes back to the queue for another
 * worker; only on its last attempt is it stored as failed, with `worker_timeout`.
 */
export class WorkerStoppingError extends Error {
  constructor() {
    super('The worker was shutting down and interrupted the query.');
    this.name = 'WorkerStoppingError';
  }
}

/**
 * Not a JobFailure either: the job ran in a slot its bucket had borrowed beyond its cap,
 * and the slot was taken back because the job ran long. The job goes back to wait for
 * a slot of its bucket's own; nothing is stored, and no attempt is counted.
 */
export class SlotReclaimedError extends Error {
  constructor() {
    super("The job ran past the time a borrowed slot is lent for; it waits for one of its bucket's own.");
    this.name = 'SlotReclaimedError';
  }
}
