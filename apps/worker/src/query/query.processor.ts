import { timeLeft } from '@flock/errors';
import type { FinishOutcome, JobContext, JobRecord, JobStore, QueryJobPayload } from '@flock/jobs';
import type { Logger } from '@flock/logger';
import type { TenantWarehouse } from '@flock/warehouse';
import { attemptJob, answeredLevel } from '../job-attempt';
import type { WorkerMetrics } from '../metrics';

export interface QueryProcessorOptions {
  queryTimeoutMs: number;
  metrics?: WorkerMetrics;
}

/**
 * A caller's own read-only SQL on one bucket (`POST /query`), run here rather than in
 * the API so that it shares the workers' sandbox, caps and fair share; the API waits
 * for the stored answer.
 */
export class QueryProcessor {
  constructor(
    private readonly store: JobStore,
    private readonly warehouse: TenantWarehouse,
    private readonly logger: Logger,
    private readonly options: QueryProcessorOptions,
  ) {}

  /** `record` is the job's record, already being read (readAhead); read first thing otherwise. */
  async run(payload: QueryJobPayload, context: JobContext, record?: Promise<JobRecord | undefined>): Promise<FinishOutcome | 'skipped'> {
    const { jobId, bucket, sql } = payload;
    const log = this.logger.child({ jobId, bucket, attempt: context.attempt });
    const unexpected = 'The worker hit an unexpected error while running the query. Try again later.';
    const { metrics } = this.options;
    const ended = metrics?.startJob({ kind: 'query' });
    return attemptJob({ store: this.store, jobId, context, log, what: 'query', unexpected, ended, record }, async (record) => {
      const started = Date.now();
      const deadline = this.store.deadlineOf(record);
      const result = await this.warehouse.query(bucket, sql, { timeoutMs: Math.max(1, timeLeft(this.options.queryTimeoutMs, deadline)) });
      const executionMs = Date.now() - started;
      metrics?.executed('query', executionMs);
      const outcome = await this.store.complete(jobId, {
        columns: result.columns,
        rows: result.rows,
        meta: {
          bucket,
          row_count: result.rows.length,
          total_rows: result.totalRows,
          truncated: result.truncated,
          execution_time_ms: executionMs,
        },
      });
      log[answeredLevel(outcome)]({ outcome, rowCount: result.rows.length, durationMs: Date.now() - started }, 'query answered');
      return outcome;
    });
  }
}
