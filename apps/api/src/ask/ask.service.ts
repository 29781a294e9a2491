import { randomUUID } from 'node:crypto';
import { NotFoundError, ServiceUnavailableError } from '@flock/errors';
import type { JobOwner, JobQueue, JobRecord, JobStore } from '@flock/jobs';
import type { TenantCatalog } from '@flock/warehouse';
import { assertBucketExists } from '../http/bucket-exists';

/**
 * Submits questions and reads their answers. Knows nothing of HTTP: the handler maps
 * its results and errors to responses.
 */
export class AskService {
  constructor(
    private readonly store: JobStore,
    private readonly queue: JobQueue<'ask'>,
    private readonly catalog: TenantCatalog,
  ) {}

  async submit(bucket: string, question: string, owner: JobOwner): Promise<string> {
    await assertBucketExists(this.catalog, bucket);
    const jobId = randomUUID();
    await this.store.create({ id: jobId, kind: 'ask', bucket, question, owner });
    try {
      await this.queue.add({ jobId, bucket, question });
    } catch (error) {
      // Never leave a record that no worker will ever pick up.
      await this.store.remove(jobId).catch(() => undefined);
      // The cause (which may name internal hosts) is for the log, not the caller.
      throw new ServiceUnavailableError('The job queue is unavailable; the question was not submitted. Try again shortly.', error);
    }
    return jobId;
  }

  /**
   * The job, if `caller` may see it; otherwise 404, the same answer as for an id that
   * never existed, so job ids cannot be probed across buckets or users. A user sees
   * only their own jobs; an API key sees every job of the buckets it may use.
   */
  async get(bucket: string, jobId: string, caller: JobOwner): Promise<JobRecord> {
    const record = await this.store.get(jobId);
    const visible =
      record &&
      record.kind === 'ask' &&
      record.bucket === bucket &&
      (caller.type === 'api_key' || (record.owner.type === 'user' && record.owner.id === caller.id));
    if (!visible) throw new NotFoundError(`Unknown job: ${jobId}`);
    return record;
  }
}
