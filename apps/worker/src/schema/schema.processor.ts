import type { FinishOutcome, JobContext, JobStore, SchemaJobPayload, SchemaSnapshots } from '@flock/jobs';
import type { Logger } from '@flock/logger';
import type { TenantWarehouse } from '@flock/warehouse';
import { attemptJob } from '../job-attempt';
import type { WorkerMetrics } from '../metrics';

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
    private readonly metrics?: WorkerMetrics,
  ) {}

  async read(payload: SchemaJobPayload, context: JobContext): Promise<FinishOutcome | 'skipped'> {
    const { jobId, bucket } = payload;
    const log = this.logger.child({ jobId, bucket, attempt: context.attempt });
    const unexpected = 'The worker hit an unexpected error while reading the schema. Try again later.';
    const ended = this.metrics?.startJob({ kind: 'schema' });
    return attemptJob({ store: this.store, jobId, context, log, what: 'schema read', unexpected, ended }, async () => {
      const { tables } = await this.warehouse.schema(bucket);
      const outcome = await this.store.complete(jobId, { tables: await this.snapshots.put(bucket, tables) });
      log.info({ outcome, tables: tables.length }, 'schema read');
      return outcome;
    });
  }
}
