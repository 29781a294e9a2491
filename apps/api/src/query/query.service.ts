import { newJobId, resultOf, submitJob, type JobOwner, type JobQueue, type JobResult, type JobStore } from '@flock/jobs';
import type { TenantCatalog } from '@flock/warehouse';
import { assertBucketExists } from '../buckets/bucket-exists';

/**
 * A caller's own read-only SQL on one bucket. It runs on a worker, through the queue,
 * with the same sandbox and caps as an ask, never in the API process: one tenant's
 * heavy query must not stall the process that answers every other tenant. The call
 * stays synchronous for the caller: it waits for the worker's answer.
 */
export class QueryService {
  constructor(
    private readonly store: JobStore,
    private readonly queue: JobQueue<'query'>,
    private readonly catalog: TenantCatalog,
    /** How long to wait for a worker: the job's worker timeout, after which the store fails it. */
    private readonly waitMs: number,
  ) {}

  async run(bucket: string, sql: string, owner: JobOwner): Promise<JobResult> {
    await assertBucketExists(this.catalog, bucket);
    const jobId = newJobId();
    await submitJob(this.store, this.queue, { id: jobId, kind: 'query', bucket, sql, owner }, { jobId, bucket, sql }, 'query');
    const record = await this.store.waitFor(jobId, 'query', this.waitMs);
    return resultOf(record, this.waitMs);
  }
}
