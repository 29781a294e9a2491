import { BadRequestError, NotFoundError } from '@flock/errors';
import {
  newJobId,
  submitJob,
  type JobFinishes,
  type JobOwner,
  type JobQueue,
  type JobProgress,
  type JobStore,
  type QueryAllJobRecord,
} from '@flock/jobs';
import type { TenantCatalog } from '@flock/warehouse';
import { readWaiting } from '../http/job-wait';
import type { CallbackUrls } from '../webhooks/callback-urls';
import type { QueryAllBody } from './query-all.schema';

/** Unknown bucket names quoted back in a 400, at most; the count says how many there were. */
const UNKNOWN_LISTED = 10;

/** Submits cross-tenant queries and reads their answers. Admin-only; the routes enforce that. */
export class QueryAllService {
  constructor(
    private readonly store: JobStore,
    private readonly queue: JobQueue<'queryAll'>,
    private readonly catalog: TenantCatalog,
    private readonly finishes: JobFinishes,
    private readonly callbacks: CallbackUrls,
  ) {}

  async submit(body: QueryAllBody, owner: JobOwner): Promise<string> {
    const buckets = await this.resolveBuckets(body.buckets);
    const callback = await this.callbacks.accept(body.callback_url);
    const jobId = newJobId();
    const request = body.sql !== undefined ? { sql: body.sql } : { question: body.question! };
    const table = body.table !== undefined ? { table: body.table } : {};
    await submitJob(
      this.store,
      this.queue,
      { id: jobId, kind: 'query-all', request, ...table, owner, ...(callback ? { callbackUrl: callback } : {}) },
      { jobId, buckets, ...request, ...table },
      'query',
      this.callbacks.queue,
    );
    return jobId;
  }

  /**
   * The job; with `waitMs`, a job still processing is waited on that long (see
   * readWaiting). While it runs, how many of its databases have answered, once planned.
   */
  async get(jobId: string, waitMs = 0, gone?: AbortSignal): Promise<{ record: QueryAllJobRecord; progress?: JobProgress }> {
    const record = await readWaiting(this.finishes, jobId, waitMs, () => this.read(jobId), gone);
    if (record.status !== 'processing') return { record };
    const progress = await this.store.progress(jobId);
    return progress ? { record, progress } : { record };
  }

  private async read(jobId: string): Promise<QueryAllJobRecord> {
    const record = await this.store.get(jobId);
    if (!record || record.kind !== 'query-all') throw new NotFoundError(`Unknown job: ${jobId}`);
    return record;
  }

  /** The named buckets in catalog order, or every bucket; 400 naming those without a warehouse. */
  private async resolveBuckets(named: string[] | undefined): Promise<string[]> {
    const all = await this.catalog.list();
    if (!named) {
      if (all.length === 0) throw new BadRequestError('There are no buckets to query.');
      return all;
    }
    const known = new Set(all);
    const unknown = named.filter((bucket) => !known.has(bucket));
    if (unknown.length > 0) {
      const listed = unknown.slice(0, UNKNOWN_LISTED).join(', ');
      const more = unknown.length > UNKNOWN_LISTED ? ` and ${unknown.length - UNKNOWN_LISTED} more` : '';
      throw new BadRequestError(`Unknown bucket${unknown.length > 1 ? 's' : ''}: ${listed}${more}`);
    }
    const wanted = new Set(named);
    return all.filter((bucket) => wanted.has(bucket));
  }
}
