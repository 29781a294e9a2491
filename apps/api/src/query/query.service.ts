import type { QueryResult, TenantWarehouse } from '@flock/warehouse';
import { assertBucketExists } from '../buckets/bucket-exists';

/** A caller's own read-only SQL on one bucket, run at once through the same sandbox and caps as asks. */
export class QueryService {
  constructor(private readonly warehouse: TenantWarehouse) {}

  async run(bucket: string, sql: string): Promise<QueryResult & { executionMs: number }> {
    await assertBucketExists(this.warehouse.catalog, bucket);
    const started = Date.now();
    return { ...(await this.warehouse.query(bucket, sql)), executionMs: Date.now() - started };
  }
}
