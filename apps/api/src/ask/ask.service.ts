import { BadRequestError, NotFoundError } from '@flock/errors';
import {
  newJobId,
  parseJobId,
  submitJob,
  type AskJobRecord,
  type JobFinishes,
  type JobOwner,
  type JobQueue,
  type JobStore,
  type PreviousAsk,
} from '@flock/jobs';
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

  /**
   * With `previousJobId`, a follow-up of that earlier answer; with `callbackUrl`, the
   * job's poll body is POSTed there once it finishes (see CallbackUrls); with `waitMs`,
   * the job is waited on that long (or until `gone` aborts) and returned as `finished`
   * if it finished by then.
   */
  async submit(
    bucket: string,
    question: string,
    owner: JobOwner,
    options: { previousJobId?: string; callbackUrl?: string; waitMs?: number; gone?: AbortSignal } = {},
  ): Promise<{ jobId: string; finished?: AskJobRecord }> {
    await assertBucketExists(this.catalog, bucket);
    const previous = options.previousJobId ? await this.previousAsk(bucket, options.previousJobId, owner) : undefined;
    const callback = await this.callbacks.accept(options.callbackUrl);
    const jobId = newJobId();
    // Registered before the job exists, so its finish cannot come first and be missed.
    const waiting = options.waitMs ? this.finishes.wait(jobId, options.waitMs, options.gone) : undefined;
    try {
      await this.enqueue(jobId, bucket, question, owner, previous, callback);
      if (!waiting) return { jobId };
      await waiting.finished;
      // The job is queued whatever this read does: should it fail, the caller still gets
      // the id to poll, never an error that would make it ask again.
      const record = await this.read(bucket, jobId, owner).catch(() => undefined);
      return record && record.status !== 'processing' ? { jobId, finished: record } : { jobId };
    } finally {
      waiting?.cancel();
    }
  }

  private async enqueue(
    jobId: string,
    bucket: string,
    question: string,
    owner: JobOwner,
    previous: PreviousAsk | undefined,
    callback: string | undefined,
  ): Promise<void> {
    await submitJob(
      this.store,
      this.queue,
      {
        id: jobId,
        kind: 'ask',
        bucket,
        question,
        owner,
        ...(callback ? { callbackUrl: callback } : {}),
        ...(previous ? { followsJobId: previous.jobId } : {}),
      },
      { jobId, bucket, question, ...(previous ? { previous } : {}) },
      'question',
      this.callbacks.queue,
    );
  }

  /**
   * The question a follow-up follows, and its SQL: an answered ask of the caller's own
   * (for an API key, any of the bucket's) in this bucket. Anything else gets the same
   * refusal, so a follow-up cannot probe for other users' or buckets' jobs.
   */
  private async previousAsk(bucket: string, previousJobId: string, caller: JobOwner): Promise<PreviousAsk> {
    const refused = new BadRequestError("'previous_job_id' must name an answered ask of yours in this bucket, from the last hour");
    const id = parseJobId(previousJobId);
    if (!id) throw refused;
    const record = await this.read(bucket, id, caller).catch((error: unknown) => {
      if (error instanceof NotFoundError) throw refused;
      throw error;
    });
    const sql = record.status === 'completed' ? record.result?.generated_sql : undefined;
    if (!sql) throw refused;
    // A chain of follow-ups reads each against the one before it as resolved.
    const resolved = record.result?.meta.resolved_question;
    return { jobId: id, question: typeof resolved === 'string' ? resolved : record.question, sql };
  }

  /**
   * The job, if `caller` may see it; otherwise 404, the same answer as for an id that
   * never existed, so job ids cannot be probed across buckets or users. A user sees
   * only their own jobs; an API key sees every job of the buckets it may use. With
   * `waitMs`, a job still processing is waited on that long (see readWaiting).
   */
  get(bucket: string, jobId: string, caller: JobOwner, waitMs = 0, gone?: AbortSignal): Promise<AskJobRecord> {
    return readWaiting(this.finishes, jobId, waitMs, () => this.read(bucket, jobId, caller), gone);
  }

  private async read(bucket: string, jobId: string, caller: JobOwner): Promise<AskJobRecord> {
    const record = await this.store.get(jobId);
    if (record?.kind !== 'ask' || record.bucket !== bucket) throw new NotFoundError(`Unknown job: ${jobId}`);
    const visible = caller.type === 'api_key' || (record.owner.type === 'user' && record.owner.id === caller.id);
    if (!visible) throw new NotFoundError(`Unknown job: ${jobId}`);
    return record;
  }
}
