import type { Redis } from 'ioredis';
import type { JobFailureCode } from '@flock/errors';
import type { JobResult, FinishOutcome, JobOwner, JobRecord, JobStatus } from './job-record';
import { CREATE, FINISH, READ } from './job-store.lua';

export interface JobStoreOptions {
  /** Key prefix shared with the queues, e.g. `flock`. */
  prefix: string;
  /** Lifetime of a job record from submission. Default in config: 3600 s, as in the seed. */
  ttlMs: number;
  /** A job still processing this long after submission reads as failed with `worker_timeout`. */
  workerTimeoutMs: number;
}

export interface NewJob {
  id: string;
  kind: string;
  bucket: string;
  question: string;
  owner: JobOwner;
}

type StoreRedis = Redis & {
  flockJobCreate(key: string, ...args: (string | number)[]): Promise<number>;
  flockJobRead(key: string, ...args: (string | number)[]): Promise<string[] | null>;
  flockJobFinish(key: string, ...args: (string | number)[]): Promise<FinishOutcome>;
};

/**
 * Job state in Redis, one hash per job. Any API replica can answer any poll because
 * nothing lives in process memory, and every transition is a Lua script (see
 * job-store.lua.ts) so the worker-timeout rule cannot race a late worker.
 */
export class JobStore {
  private readonly redis: StoreRedis;

  constructor(
    redis: Redis,
    private readonly options: JobStoreOptions,
  ) {
    redis.defineCommand('flockJobCreate', { numberOfKeys: 1, lua: CREATE });
    redis.defineCommand('flockJobRead', { numberOfKeys: 1, lua: READ });
    redis.defineCommand('flockJobFinish', { numberOfKeys: 1, lua: FINISH });
    this.redis = redis as StoreRedis;
  }

  key(id: string): string {
    return `${this.options.prefix}:job:${id}`;
  }

  async create(job: NewJob): Promise<JobRecord> {
    const submittedAt = await this.redis.flockJobCreate(
      this.key(job.id),
      this.options.ttlMs,
      'kind',
      job.kind,
      'bucket',
      job.bucket,
      'question',
      job.question,
      'owner',
      JSON.stringify(job.owner),
    );
    return { ...job, status: 'processing', submittedAt: Number(submittedAt) };
  }

  /** The job, with the worker timeout applied; undefined when unknown or expired. */
  async get(id: string): Promise<JobRecord | undefined> {
    const flat = await this.redis.flockJobRead(
      this.key(id),
      this.options.ttlMs,
      this.options.workerTimeoutMs,
      this.timeoutMessage(),
    );
    if (!flat) return undefined;
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
    return toRecord(id, hash);
  }

  async complete(id: string, result: JobResult): Promise<FinishOutcome> {
    return this.finish(id, ['status', 'completed', 'result', JSON.stringify(result)]);
  }

  async fail(id: string, code: JobFailureCode, message: string): Promise<FinishOutcome> {
    return this.finish(id, ['status', 'failed', 'error_code', code, 'error_message', message]);
  }

  /** When the job's answer stops counting (epoch ms): its submission plus the worker timeout. */
  deadlineOf(record: JobRecord): number {
    return record.submittedAt + this.options.workerTimeoutMs;
  }

  /** Removes a record whose job could not be enqueued, so no half-submitted job is left behind. */
  async remove(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  private finish(id: string, fields: string[]): Promise<FinishOutcome> {
    return this.redis.flockJobFinish(
      this.key(id),
      this.options.ttlMs,
      this.options.workerTimeoutMs,
      this.timeoutMessage(),
      ...fields,
    );
  }

  private timeoutMessage(): string {
    const seconds = Math.round(this.options.workerTimeoutMs / 1000);
    return `The job did not finish within ${seconds} s of being submitted, so it was abandoned. Try again; if it keeps happening, ask a simpler question.`;
  }
}

function toRecord(id: string, hash: Record<string, string>): JobRecord {
  const record: JobRecord = {
    id,
    kind: hash.kind ?? 'ask',
    status: (hash.status ?? 'processing') as JobStatus,
    bucket: hash.bucket ?? '',
    question: hash.question ?? '',
    owner: JSON.parse(hash.owner ?? '{"type":"api_key","id":""}') as JobOwner,
    submittedAt: Number(hash.submitted_at),
  };
  if (hash.finished_at) record.finishedAt = Number(hash.finished_at);
  if (hash.result) record.result = JSON.parse(hash.result) as JobResult;
  if (hash.error_code) record.errorCode = hash.error_code as JobFailureCode;
  if (hash.error_message) record.errorMessage = hash.error_message;
  return record;
}
