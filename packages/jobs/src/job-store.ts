import type { FlockRedis } from './redis-client';
import { JOB_FAILURE_CODES, type JobFailureCode } from '@flock/errors';
import { jobFinishedChannel, jobPartKey, jobPartStem, jobPartsKey, jobRecordKey } from './ids';
import type { FinishOutcome, JobKind, JobOwner, JobRecord, JobResult, JobStatus, NewJob, SchemaResult } from './job-record';
import { CREATE, FINISH, PUT_PART, READ } from './job-store.lua';

export interface JobStoreOptions {
  /** Key prefix shared with the queues, e.g. `flock`. */
  prefix: string;
  /** Lifetime of a job record from submission. Default in config: 3600 s, as in the seed. */
  ttlMs: number;
  /** A job still processing this long after submission reads as failed with `worker_timeout`. */
  workerTimeoutMs: number;
  /**
   * Told of every job with a `callback_url` whose final state this store has just
   * written, to wake its webhook's delivery. Its failure does not fail the write, which is stored.
   */
  onFinished?: (jobId: string) => Promise<void>;
}

/**
 * A record in Redis that is not one this store wrote: a field missing or malformed.
 * Never defaulted, since a guessed owner or bucket could show a job to the wrong caller.
 */
export class CorruptJobRecordError extends Error {
  constructor(jobId: string, field: string) {
    super(`Job record ${jobId} is corrupt: its '${field}' field is missing or malformed`);
    this.name = 'CorruptJobRecordError';
  }
}

type StoreRedis = FlockRedis & {
  flockJobCreate(key: string, ...args: (string | number)[]): Promise<number>;
  flockJobRead(key: string, ...args: (string | number)[]): Promise<string[] | null>;
  flockJobFinish(key: string, ...args: (string | number)[]): Promise<FinishOutcome | 'stored_with_callback'>;
  flockJobPutPart(parts: string, summary: string, rows: string, ...args: (string | number)[]): Promise<[number, number]>;
};

/** How far a fanned-out job is: databases answered (queried, skipped or errored) out of all it runs on. */
export interface JobProgress {
  done: number;
  total: number;
}

/**
 * One part of a job's answer, such as a cross-tenant chunk's outcomes: a small summary,
 * always kept, and rows, which are dropped once earlier parts alone overflow the caps,
 * as the answer (a prefix of the parts' rows, in order) can no longer include them.
 */
export interface AnswerPart {
  summary: unknown;
  rows: unknown;
  /** What `rows` spends of the caps. */
  weight: { rows: number; bytes: number };
}

/** A part as stored: `rows` is absent when they were dropped, or never needed. */
export interface StoredPart {
  summary: unknown;
  rows?: unknown;
}

/**
 * Job state in Redis, one hash per job. Any API replica can answer any poll because
 * nothing lives in process memory, and every transition is a Lua script (see
 * job-store.lua.ts) so the worker-timeout rule cannot race a late worker.
 */
export class JobStore {
  private readonly redis: StoreRedis;

  constructor(
    redis: FlockRedis,
    private readonly options: JobStoreOptions,
  ) {
    redis.defineCommand('flockJobCreate', { numberOfKeys: 1, lua: CREATE });
    redis.defineCommand('flockJobRead', { numberOfKeys: 1, lua: READ });
    redis.defineCommand('flockJobFinish', { numberOfKeys: 1, lua: FINISH });
    redis.defineCommand('flockJobPutPart', { numberOfKeys: 3, lua: PUT_PART });
    this.redis = redis as StoreRedis;
  }

  key(id: string): string {
    return jobRecordKey(this.options.prefix, id);
  }

  async create(job: NewJob): Promise<JobRecord> {
    const submittedAt = await this.redis.flockJobCreate(this.key(job.id), this.options.ttlMs, ...fieldsOf(job));
    return { ...job, status: 'processing', submittedAt: Number(submittedAt) };
  }

  /** The job, with the worker timeout applied; undefined when unknown or expired. */
  async get(id: string): Promise<JobRecord | undefined> {
    const flat = await this.redis.flockJobRead(this.key(id), this.options.ttlMs, this.options.workerTimeoutMs, this.timeoutMessage());
    if (!flat) return undefined;
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
    return toRecord(id, hash);
  }

  async complete(id: string, result: JobResult | SchemaResult): Promise<FinishOutcome> {
    return this.finish(id, ['status', 'completed', 'result', JSON.stringify(result)]);
  }

  async fail(id: string, code: JobFailureCode, message: string): Promise<FinishOutcome> {
    return this.finish(id, ['status', 'failed', 'error_code', code, 'error_message', message]);
  }

  /**
   * Keeps one part of a job's answer (a cross-tenant chunk's outcomes, tenants' rows
   * among them) beside its record, expiring with it. Not in BullMQ's return values,
   * which its job hashes and event stream would keep past the job's hour. Rows that
   * cannot reach the answer under `caps` are not kept: see AnswerPart.
   */
  async putPart(
    record: JobRecord,
    index: number,
    part: AnswerPart & { buckets: number },
    caps: { maxRows: number; maxBytes: number },
  ): Promise<JobProgress> {
    const { prefix } = this.options;
    const [done, total] = await this.redis.flockJobPutPart(
      jobPartsKey(prefix, record.id),
      jobPartKey(prefix, record.id, index),
      jobPartKey(prefix, record.id, index, 'rows'),
      index,
      JSON.stringify(part.summary),
      JSON.stringify(part.rows),
      part.weight.rows,
      part.weight.bytes,
      caps.maxRows,
      caps.maxBytes,
      record.submittedAt + this.options.ttlMs,
      jobPartStem(prefix, record.id),
      part.buckets,
    );
    return { done, total };
  }

  /** Sets how many databases a fanned-out job runs on, once planned: the `total` of its progress. */
  async setProgressTotal(record: JobRecord, total: number): Promise<void> {
    const key = jobPartsKey(this.options.prefix, record.id);
    await this.redis
      .multi()
      .hset(key, 'total', total)
      .pexpireat(key, record.submittedAt + this.options.ttlMs)
      .exec();
  }

  /** How far a fanned-out job is, once planned and until its answer is stored; undefined otherwise. */
  async progress(jobId: string): Promise<JobProgress | undefined> {
    const [total, done] = await this.redis.hmget(jobPartsKey(this.options.prefix, jobId), 'total', 'done');
    return total ? { done: Number(done ?? 0), total: Number(total) } : undefined;
  }

  /** The parts stored for a job, by index; undefined where a part was never stored. */
  async getParts(jobId: string, count: number): Promise<(StoredPart | undefined)[]> {
    if (count === 0) return [];
    const indexes = Array.from({ length: count }, (_, index) => index);
    const { prefix } = this.options;
    const texts = await this.redis.mget(
      ...indexes.flatMap((index) => [jobPartKey(prefix, jobId, index), jobPartKey(prefix, jobId, index, 'rows')]),
    );
    return indexes.map((index) => {
      const [summary, rows] = [texts[2 * index], texts[2 * index + 1]];
      if (summary === null || summary === undefined) return undefined;
      return { summary: JSON.parse(summary) as unknown, ...(rows ? { rows: JSON.parse(rows) as unknown } : {}) };
    });
  }

  /** Deletes a job's parts once its answer is stored: only the answer need stay for the hour. */
  async dropParts(jobId: string, count: number): Promise<void> {
    const { prefix } = this.options;
    const keys = Array.from({ length: count }, (_, index) => [jobPartKey(prefix, jobId, index), jobPartKey(prefix, jobId, index, 'rows')]);
    // In slices: a job of 100,000 buckets split finely has tens of thousands of keys.
    for (let at = 0; at < keys.length; at += 500) await this.redis.unlink(...keys.slice(at, at + 500).flat());
    await this.redis.unlink(jobPartsKey(prefix, jobId));
  }

  /** When the job's answer stops counting (epoch ms): its submission plus the worker timeout. */
  deadlineOf(record: JobRecord): number {
    return record.submittedAt + this.options.workerTimeoutMs;
  }

  /**
   * The job once it has finished, or as it stands when `timeoutMs` runs out; undefined
   * when unknown or expired. For the synchronous endpoints, which wait for a worker: the
   * record is the one source of truth (a retry or a stalled job can reorder BullMQ's
   * events), so it is polled, from 5 ms doubling to 100 ms, which keeps a quick query
   * quick and a slow one cheap.
   */
  async waitFor<K extends JobKind>(id: string, kind: K, timeoutMs: number): Promise<Extract<JobRecord, { kind: K }> | undefined> {
    const until = Date.now() + timeoutMs;
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      const found = await this.get(id);
      const record = found?.kind === kind ? (found as Extract<JobRecord, { kind: K }>) : undefined;
      if (!record || record.status !== 'processing' || Date.now() >= until) return record;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(0, until - Date.now()))));
    }
  }

  /** Removes a record whose job could not be enqueued, so no half-submitted job is left behind. */
  async remove(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  private async finish(id: string, fields: string[]): Promise<FinishOutcome> {
    const outcome: FinishOutcome | 'stored_with_callback' = await this.redis.flockJobFinish(
      this.key(id),
      this.options.ttlMs,
      this.options.workerTimeoutMs,
      this.timeoutMessage(),
      jobFinishedChannel(this.options.prefix),
      ...fields,
    );
    if (outcome !== 'stored_with_callback') return outcome;
    // Only a job with a callback_url has a delivery to wake: the others cost no round trip.
    // The wake has a fallback of its own (the delivery goes out at the job's deadline).
    await this.options.onFinished?.(id).catch(() => undefined);
    return 'stored';
  }

  private timeoutMessage(): string {
    const seconds = Math.round(this.options.workerTimeoutMs / 1000);
    return `The job did not finish within ${seconds} s of being submitted, so it was abandoned. Try again; if it keeps happening, ask a simpler question.`;
  }
}

/** The hash fields a new job is created with, by kind. */
function fieldsOf(job: NewJob): string[] {
  const fields = ['kind', job.kind, 'owner', JSON.stringify(job.owner), ...(job.callbackUrl ? ['callback_url', job.callbackUrl] : [])];
  switch (job.kind) {
    case 'ask':
      return [...fields, 'bucket', job.bucket, 'question', job.question, ...(job.followsJobId ? ['follows', job.followsJobId] : [])];
    case 'query':
      return [...fields, 'bucket', job.bucket, 'sql', job.sql];
    case 'schema':
      return [...fields, 'bucket', job.bucket];
    case 'query-all':
      return [
        ...fields,
        ...('sql' in job.request ? ['sql', job.request.sql] : ['question', job.request.question]),
        ...(job.table !== undefined ? ['table', job.table] : []),
      ];
  }
}

const STATUSES: readonly string[] = ['processing', 'completed', 'failed'] satisfies JobStatus[];

function toRecord(id: string, hash: Record<string, string>): JobRecord {
  const required = (field: string): string => {
    const value = hash[field];
    if (value === undefined) throw new CorruptJobRecordError(id, field);
    return value;
  };
  const parsed = <T>(field: string, valid: (value: unknown) => boolean): T => {
    let value: unknown;
    try {
      value = JSON.parse(required(field));
    } catch {
      throw new CorruptJobRecordError(id, field);
    }
    if (!valid(value)) throw new CorruptJobRecordError(id, field);
    return value as T;
  };
  const kind = required('kind');
  const status = required('status');
  if (!STATUSES.includes(status)) throw new CorruptJobRecordError(id, 'status');
  const submittedAt = Number(required('submitted_at'));
  if (!Number.isFinite(submittedAt)) throw new CorruptJobRecordError(id, 'submitted_at');
  const base = {
    id,
    status: status as JobStatus,
    owner: parsed<JobOwner>('owner', isOwner),
    submittedAt,
    ...(hash.finished_at ? { finishedAt: Number(hash.finished_at) } : {}),
    ...(hash.callback_url ? { callbackUrl: hash.callback_url } : {}),
    // The validator is chosen by kind, so the result fits the record built below; `never`
    // lets one base serve every kind without a cast per case.
    ...(status === 'completed' ? { result: parsed<never>('result', kind === 'schema' ? isSchemaResult : isResult) } : {}),
    ...(status === 'failed' ? { errorCode: failureCode(id, required('error_code')), errorMessage: required('error_message') } : {}),
  };
  switch (kind) {
    case 'ask':
      return {
        ...base,
        kind,
        bucket: required('bucket'),
        question: required('question'),
        ...(hash.follows ? { followsJobId: hash.follows } : {}),
      };
    case 'query-all': {
      const request = hash.sql !== undefined ? { sql: hash.sql } : { question: required('question') };
      return { ...base, kind, request, ...(hash.table !== undefined ? { table: hash.table } : {}) };
    }
    case 'query':
      return { ...base, kind, bucket: required('bucket'), sql: required('sql') };
    case 'schema':
      return { ...base, kind, bucket: required('bucket') };
    default:
      throw new CorruptJobRecordError(id, 'kind');
  }
}

function isOwner(value: unknown): boolean {
  const owner = value as Partial<JobOwner> | null;
  return typeof owner === 'object' && owner !== null && (owner.type === 'user' || owner.type === 'api_key') && typeof owner.id === 'string';
}

function isSchemaResult(value: unknown): boolean {
  const result = value as Partial<SchemaResult> | null;
  return typeof result === 'object' && result !== null && Array.isArray(result.tables);
}

function isResult(value: unknown): boolean {
  const result = value as Partial<JobResult> | null;
  return typeof result === 'object' && result !== null && Array.isArray(result.columns) && Array.isArray(result.rows);
}

function failureCode(id: string, code: string): JobFailureCode {
  if (!(JOB_FAILURE_CODES as readonly string[]).includes(code)) throw new CorruptJobRecordError(id, 'error_code');
  return code as JobFailureCode;
}
