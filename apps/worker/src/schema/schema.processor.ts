import type { FinishOutcome, JobContext, JobStore, SchemaJobPayload, SchemaSnapshots } from '@flock/jobs';
import type { Logger } from '@flock/logger';
import type { TenantWarehouse } from '@flock/warehouse';
import { recordFailure } from '../record-failure';

/**
 * Reads one bucket's tables for the API's `/tables` endpoints and leaves them as a
 * snapshot, so the API never opens a warehouse and later calls need no worker at all.
 */
export class SchemaProcessor {
  constructor(
    private readonly store: JobStore,
    private readonly warehouse: TenantWarehouse,
    private readonly snapshots: SchemaSnapshots,
    private readonly logger: Logger,
  ) {}

  async read(payload: SchemaJobPayload, context: JobContext): Promise<FinishOutcome | 'skipped'> {
    const { jobId, bucket } = payload;
    const log = this.logger.child({ jobId, bucket, attempt: context.attempt });
    const record = await this.store.get(jobId);
    if (!record || record.status !== 'processing') return 'skipped';
    try {
      const { tables } = await this.warehouse.schema(bucket);
      const outcome = await this.store.complete(jobId, { tables: await this.snapshots.put(bucket, tables) });
      log.info({ outcome, tables: tables.length }, 'schema read');
      return outcome;
    } catch (error) {
      const unexpected = 'The worker hit an unexpected error while reading the schema. Try again later.';
      const { outcome, code } = await recordFailure(this.store, jobId, error, context, unexpected);
      log.info({ outcome, errorCode: code }, 'schema read failed');
      return outcome;
    }
  }
}
