/**
 * Every job Flock runs, in one place shared by the API (producer) and the worker
 * (consumer).
 *
 * Queue and job names are stable contracts: renaming one strands every job already
 * queued under the old name. Add new names; never rename or reuse old ones.
 */
import Joi from 'joi';
import type { JobsOptions } from 'bullmq';

export const QUEUE_NAMES = {
  ask: 'flock-ask',
} as const;

export interface AskJobPayload {
  /** Flock's job id; also the BullMQ job id, so a duplicate add is a no-op. */
  jobId: string;
  bucket: string;
  question: string;
}

/**
 * BullMQ's own job entries are removed by age so that Redis does not grow without
 * bound; an hour matches the lifetime of Flock's job records, which the poll reads.
 */
const REMOVE_AFTER_SECONDS = 3600;

export const JOB_CATALOG = {
  ask: {
    queue: QUEUE_NAMES.ask,
    payload: Joi.object<AskJobPayload>({
      jobId: Joi.string().guid({ version: 'uuidv4' }).required(),
      // The warehouse catalog re-validates the id before it touches a file.
      bucket: Joi.string().max(63).required(),
      question: Joi.string().min(1).max(10_000).required(),
    }).unknown(false),
    options: {
      // One retry covers a worker that died mid-job (stalled) or a transient error;
      // answers that are final (generation/validation/execution failures) never retry.
      attempts: 2,
      backoff: { type: 'fixed', delay: 500 },
      removeOnComplete: { age: REMOVE_AFTER_SECONDS, count: 10_000 },
      removeOnFail: { age: REMOVE_AFTER_SECONDS },
    } satisfies JobsOptions,
  },
} as const;

export type JobName = keyof typeof JOB_CATALOG;

export interface JobPayloads {
  ask: AskJobPayload;
}

/** One handler per job; a missing entry is a compile error (and a start-up error, see `assertHandlers`). */
export type JobHandlers = { [K in JobName]: (payload: JobPayloads[K], context: JobContext) => Promise<unknown> };

export interface JobContext {
  /** BullMQ attempt number, starting at 1. */
  attempt: number;
  /** Whether this is the last attempt BullMQ will make. */
  lastAttempt: boolean;
}

export function assertHandlers(handlers: Partial<Record<string, unknown>>): asserts handlers is JobHandlers {
  const missing = (Object.keys(JOB_CATALOG) as JobName[]).filter((name) => typeof handlers[name] !== 'function');
  if (missing.length > 0) throw new Error(`No handler registered for job(s): ${missing.join(', ')}`);
}
