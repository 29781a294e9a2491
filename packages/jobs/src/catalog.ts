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
  queryAll: 'flock-query-all',
  queryAllChunk: 'flock-query-all-chunk',
  queryAllMerge: 'flock-query-all-merge',
  query: 'flock-query',
  schema: 'flock-schema',
  webhook: 'flock-webhook',
} as const;

export interface AskJobPayload {
  /** Flock's job id; also the BullMQ job id, so a duplicate add is a no-op. */
  jobId: string;
  bucket: string;
  question: string;
  /** The asker's earlier answered question in this bucket, which this one follows up (`previous_job_id`). */
  previous?: PreviousAsk;
}

/** What a follow-up needs of the question it follows: checked by the API to be the asker's own, answered. */
export interface PreviousAsk {
  jobId: string;
  question: string;
  sql: string;
}

/** A cross-tenant query as submitted: the plan job turns it into a flow of chunks. */
export interface QueryAllJobPayload {
  jobId: string;
  /** Exactly one of `sql` and `question`. */
  sql?: string;
  question?: string;
  /** Buckets whose database lacks this table are skipped. */
  table?: string;
  /** The buckets to query, resolved and checked by the API. */
  buckets: string[];
}

/** One chunk of a cross-tenant query; a child of the merge job. */
export interface QueryAllChunkPayload {
  jobId: string;
  /** The chunk's place in the merge's `chunks`, under which it stores its outcomes. */
  index: number;
  sql: string;
  table?: string;
  buckets: string[];
  /** Epoch milliseconds: the job's worker timeout, after which no bucket is started. */
  deadline: number;
}

/** The parent of a fan-out: combines its chunks' answers once they have all finished or failed. */
export interface QueryAllMergePayload {
  jobId: string;
  /** Present in natural-language mode: the SQL generated once and run everywhere. */
  generatedSql?: string;
  /** The buckets of each chunk, by chunk index, so a failed chunk's buckets can be named. */
  chunks: string[][];
}

/** A caller's own read-only SQL on one bucket (`POST /query`), run on a worker while the API waits. */
export interface QueryJobPayload {
  jobId: string;
  bucket: string;
  sql: string;
}

/** A read of one bucket's schema for `GET /tables`, run on a worker so the API never opens a warehouse. */
export interface SchemaJobPayload {
  jobId: string;
  bucket: string;
}

/**
 * Delivery of a finished job's poll body to its `callback_url`. Added, delayed, when the
 * job is submitted, and woken when its answer is stored (see WebhookQueue): so no finish
 * can be missed, not even a worker timeout that no process writes. Carries the id only;
 * the URL and the body are read from the job's record.
 */
export interface WebhookJobPayload {
  jobId: string;
}

const bucketList = Joi.array().items(Joi.string().max(63)).max(100_000);

/**
 * BullMQ's own job entries are removed by age so that Redis does not grow without
 * bound; an hour matches the lifetime of Flock's job records, which the poll reads.
 */
const REMOVE_AFTER_SECONDS = 3600;

/**
 * One retry covers a worker that died mid-job (stalled) or a transient error; answers
 * that are final (generation/validation/execution failures) are stored, never retried.
 */
function retryOnceThenExpire(retryDelayMs: number, keepCompleted = 10_000) {
  return {
    attempts: 2,
    backoff: { type: 'fixed', delay: retryDelayMs },
    removeOnComplete: { age: REMOVE_AFTER_SECONDS, count: keepCompleted },
    removeOnFail: { age: REMOVE_AFTER_SECONDS },
  } satisfies JobsOptions;
}

const jobId = Joi.string().guid({ version: 'uuidv4' }).required();

export const JOB_CATALOG = {
  ask: {
    queue: QUEUE_NAMES.ask,
    payload: Joi.object<AskJobPayload>({
      jobId,
      // The warehouse catalog re-validates the id before it touches a file.
      bucket: Joi.string().max(63).required(),
      question: Joi.string().min(1).max(10_000).required(),
      previous: Joi.object<PreviousAsk>({
        jobId,
        question: Joi.string().min(1).max(10_000).required(),
        sql: Joi.string().min(1).max(100_000).required(),
      }),
    }).unknown(false),
    options: retryOnceThenExpire(500),
  },
  queryAll: {
    queue: QUEUE_NAMES.queryAll,
    payload: Joi.object<QueryAllJobPayload>({
      jobId,
      sql: Joi.string().min(1).max(100_000),
      question: Joi.string().min(1).max(10_000),
      table: Joi.string().max(255),
      buckets: bucketList.min(1).required(),
    })
      .xor('sql', 'question')
      .unknown(false),
    options: retryOnceThenExpire(200),
  },
  queryAllChunk: {
    queue: QUEUE_NAMES.queryAllChunk,
    payload: Joi.object<QueryAllChunkPayload>({
      jobId,
      index: Joi.number().integer().min(0).required(),
      sql: Joi.string().min(1).max(100_000).required(),
      table: Joi.string().max(255),
      buckets: bucketList.min(1).required(),
      deadline: Joi.number().integer().required(),
    }).unknown(false),
    options: {
      ...retryOnceThenExpire(200, 100_000),
      // A chunk's second failure is reported by the merge as errors for its buckets,
      // instead of holding the parent forever.
      ignoreDependencyOnFailure: true,
    } satisfies JobsOptions,
  },
  queryAllMerge: {
    queue: QUEUE_NAMES.queryAllMerge,
    payload: Joi.object<QueryAllMergePayload>({
      jobId,
      generatedSql: Joi.string().max(100_000),
      chunks: Joi.array().items(bucketList).min(1).required(),
    }).unknown(false),
    options: retryOnceThenExpire(200),
  },
  query: {
    queue: QUEUE_NAMES.query,
    payload: Joi.object<QueryJobPayload>({
      jobId,
      bucket: Joi.string().max(63).required(),
      sql: Joi.string().min(1).max(100_000).required(),
    }).unknown(false),
    options: retryOnceThenExpire(200),
  },
  schema: {
    queue: QUEUE_NAMES.schema,
    payload: Joi.object<SchemaJobPayload>({ jobId, bucket: Joi.string().max(63).required() }).unknown(false),
    options: retryOnceThenExpire(200),
  },
  webhook: {
    queue: QUEUE_NAMES.webhook,
    payload: Joi.object<WebhookJobPayload>({ jobId }).unknown(false),
    // Attempts and backoff come from config when the delivery is added (WebhookQueue).
    options: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: { age: REMOVE_AFTER_SECONDS, count: 10_000 },
      // Kept as long as the record, so an operator sees the failed delivery in Bull Board.
      removeOnFail: { age: REMOVE_AFTER_SECONDS },
    } satisfies JobsOptions,
  },
} as const;

export type JobName = keyof typeof JOB_CATALOG;

export interface JobPayloads {
  ask: AskJobPayload;
  queryAll: QueryAllJobPayload;
  queryAllChunk: QueryAllChunkPayload;
  queryAllMerge: QueryAllMergePayload;
  query: QueryJobPayload;
  schema: SchemaJobPayload;
  webhook: WebhookJobPayload;
}

/** One handler per job; a missing entry is a compile error (and a start-up error, see `assertHandlers`). */
export type JobHandlers = { [K in JobName]: (payload: JobPayloads[K], context: JobContext) => Promise<unknown> };

export interface JobContext {
  /** BullMQ attempt number, starting at 1. */
  attempt: number;
  /** Whether this is the last attempt BullMQ will make. */
  lastAttempt: boolean;
  /**
   * Ends this attempt without counting it, and puts the job back to run in `delayMs`.
   * `whileDelayed` runs once the job is back in the queue's delayed set, so that
   * whatever it tells (a waiting list) can already `wake` it.
   */
  postpone(delayMs: number, whileDelayed?: () => Promise<void>): Promise<never>;
  /** Runs a job of the same queue that is waiting in the delayed set now; a job not delayed is left as it is. */
  wake(jobId: string): Promise<void>;
  /**
   * Whether every job waiting in this job's queue belongs to `bucket`: true when none
   * waits, false when more than WAITING_SCANNED wait (too many to read on each ask; a
   * long queue is a busy one) or when any of them is another bucket's.
   */
  onlyWaiting(bucket: string): Promise<boolean>;
  /**
   * Adds lines to the job's log, which Bull Board shows in its Logs tab. For operators:
   * steps, times, counts and codes, never a result value, credential or tenant data
   * beyond the question. Best effort: a line Redis refuses is dropped, not the job.
   */
  log(...lines: string[]): Promise<void>;
  /** Sets the progress (a percentage) of the flow's parent job, which Bull Board draws; nothing for a job without one. */
  progressParent(percent: number): Promise<void>;
}

export function assertHandlers(handlers: Partial<Record<string, unknown>>): asserts handlers is JobHandlers {
  const missing = (Object.keys(JOB_CATALOG) as JobName[]).filter((name) => typeof handlers[name] !== 'function');
  if (missing.length > 0) throw new Error(`No handler registered for job(s): ${missing.join(', ')}`);
}
