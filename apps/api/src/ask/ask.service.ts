import { NotFoundError } from '@flock/errors';
import { newJobId, submitJob, type AskJobRecord, type JobFinishes, type JobOwner, type JobQueue, type JobStore } from '@flock/jobs';
import type { TenantCatalog } from '@flock/warehouse';
import { assertBucketExists } from '../buckets/bucket-exists';
import { readWaiting } from '../http/job-wait';
import type { CallbackUrls } from '../webhooks/callback-urls';

/**
 * Submits questions and reads their answers. Knows nothing of HTTP: the handler maps
 * its results and errors to responses.
 */
export class AskService {
  constructor(
    private readonly store: JobStore,
    private readonly queue: JobQueue<'ask'>,
    private readonly catalog: TenantCatalog,
    private readonly finishes: JobFinishes,
    private readonly callbacks: CallbackUrls,
  ) {}

  /** With `callbackUrl`, the job's poll body is POSTed there once it finishes (see CallbackUrls). */
  async submit(bucket: string, question: string, owner: JobOwner, callbackUrl?: string): Promise<string> {
    await assertBucketExists(this.catalog, bucket);
    const callback = await this.callbacks.accept(callbackUrl);
    const jobId = newJobId();
    await submitJob(
      this.store,
      this.queue,
      { id: jobId, kind: 'ask', bucket, question, owner, ...(callback ? { callbackUrl: callback } : {}) },
      { jobId, bucket, question },
      'question',
      this.callbacks.queue,
    );
    return jobId;
  }

  /**
   * The job, if `caller` may see it; otherwise 404, the same answer as for an id that
   * never existed, so job ids cannot be probed across buckets or users. A user sees
   * only their own jobs; an API key sees every job of the buckets it may use. With
   * `waitMs`, a job still processing is waited on that long (see readWaiting).
   */
  get(bucket: string, jobId: string, caller: JobOwner, waitMs = 0): Promise<AskJobRecord> {
    return readWaiting(this.finishes, jobId, waitMs, () => this.read(bucket, jobId, caller));
  }

  private async read(bucket: string, jobId: string, caller: JobOwner): Promise<AskJobRecord> {
    const record = await this.store.get(jobId);
    if (record?.kind !== 'ask' || record.bucket !== bucket) throw new NotFoundError(`Unknown job: ${jobId}`);
    const visible = caller.type === 'api_key' || (record.owner.type === 'user' && record.owner.id === caller.id);
    if (!visible) throw new NotFoundError(`Unknown job: ${jobId}`);
    return record;
  }
}
