import { NotFoundError } from '@flock/errors';
import { newJobId, resultOf, submitJob, type JobOwner, type JobQueue, type JobStore, type SchemaSnapshots } from '@flock/jobs';
import type { TableInfo } from '@flock/schema';
import type { TenantCatalog } from '@flock/warehouse';
import { assertBucketExists } from '../buckets/bucket-exists';

/**
 * One bucket's tables for the API, as workers read them: served from the snapshot a
 * worker left in Redis, or, when there is none, read by a worker now (a `schema` job)
 * while the caller waits. The API never opens a warehouse file itself.
 */
export class SchemaService {
  /** Reads in flight on this replica, by bucket: a burst of misses on a cold bucket queues one job, not one each. */
  private readonly reads = new Map<string, Promise<TableInfo[]>>();

  constructor(
    private readonly store: JobStore,
    private readonly queue: JobQueue<'schema'>,
    private readonly catalog: TenantCatalog,
    private readonly snapshots: SchemaSnapshots,
    private readonly waitMs: number,
  ) {}

  async tables(bucket: string, owner: JobOwner): Promise<TableInfo[]> {
    await assertBucketExists(this.catalog, bucket);
    const cached = await this.snapshots.get(bucket);
    if (cached) return cached;
    let read = this.reads.get(bucket);
    if (!read) {
      read = this.read(bucket, owner).finally(() => this.reads.delete(bucket));
      this.reads.set(bucket, read);
    }
    return read;
  }

  private async read(bucket: string, owner: JobOwner): Promise<TableInfo[]> {
    const jobId = newJobId();
    await submitJob(this.store, this.queue, { id: jobId, kind: 'schema', bucket, owner }, { jobId, bucket }, 'schema read');
    return resultOf(await this.store.waitFor(jobId, 'schema', this.waitMs), this.waitMs).tables;
  }

  async table(bucket: string, name: string, owner: JobOwner): Promise<TableInfo> {
    const table = (await this.tables(bucket, owner)).find((t) => t.name === name);
    if (!table) throw new NotFoundError(`Unknown table: ${name}`);
    return table;
  }
}
