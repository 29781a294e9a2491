import { JobFailure } from '@flock/errors';
import type { AskJobPayload, FinishOutcome, JobContext, JobStore } from '@flock/jobs';
import type { Logger } from '@flock/logger';
import { generateAndRun, type SqlGeneratorRouter } from '@flock/sql';
import type { TenantWarehouse } from '@flock/warehouse';

export interface AskServiceOptions {
  queryTimeoutMs: number;
}

export type AskOutcome = FinishOutcome | 'skipped';

/**
 * Answers one question: schema → SQL → validated, sandboxed query → stored answer.
 * An engine with more than one attempt gets each refusal or database error back and
 * tries again; the last error is the one stored.
 * Failures the asker can act on (JobFailure) are final answers and are stored, not
 * retried. Anything else is rethrown so BullMQ's retry and stalled handling can work;
 * on the last attempt it is stored as execution_failed first, so no job is left hanging.
 */
export class AskService {
  constructor(
    private readonly store: JobStore,
    private readonly warehouse: TenantWarehouse,
    private readonly generators: SqlGeneratorRouter,
    private readonly logger: Logger,
    private readonly options: AskServiceOptions,
  ) {}

  async answer(payload: AskJobPayload, context: JobContext): Promise<AskOutcome> {
    const { jobId, bucket, question } = payload;
    const log = this.logger.child({ jobId, bucket, attempt: context.attempt });
    const record = await this.store.get(jobId);
    if (!record || record.status !== 'processing') {
      // Expired, already answered (a redelivery after a stall) or timed out: nothing to do.
      log.info({ status: record?.status ?? 'missing' }, 'ask job skipped');
      return 'skipped';
    }
    const started = Date.now();
    const generator = this.generators.forBucket(bucket);
    try {
      const schema = await this.warehouse.schema(bucket);
      // The job's answer stops counting at the worker timeout; nothing should wait past it.
      const deadline = this.store.deadlineOf(record);
      let queryStarted = Date.now();
      // Names in text columns too varied to list are found with a bounded lookup in this bucket only.
      const findValues = this.warehouse.findValues ? (texts: string[]) => this.warehouse.findValues!(bucket, texts) : undefined;
      const request = { question, bucket, schema, deadline, ...(findValues ? { findValues } : {}) };
      const { generated, result, attempts } = await generateAndRun(generator, request, (sql) => {
        // Never let the query outlive the job: what is left of the worker timeout caps it.
        const remainingMs = deadline - Date.now();
        queryStarted = Date.now();
        return this.warehouse.query(bucket, sql, { timeoutMs: Math.max(1, Math.min(this.options.queryTimeoutMs, remainingMs)) });
      });
      const executionMs = Date.now() - queryStarted;
      const outcome = await this.store.complete(jobId, {
        columns: result.columns,
        rows: result.rows,
        generated_sql: generated.sql,
        meta: {
          bucket,
          question,
          row_count: result.rows.length,
          total_rows: result.totalRows,
          truncated: result.truncated,
          ...(generated.explanation ? { explanation: generated.explanation } : {}),
          ...(generated.ignored?.length ? { ignored: generated.ignored } : {}),
          generator: generator.name,
          ...(attempts > 1 ? { generation_attempts: attempts } : {}),
          execution_time_ms: executionMs,
          duration_ms: Date.now() - started,
        },
      });
      log.info({ outcome, rowCount: result.rows.length, durationMs: Date.now() - started }, 'ask job answered');
      return outcome;
    } catch (error) {
      if (error instanceof JobFailure) {
        const outcome = await this.store.fail(jobId, error.code, error.message);
        log.info({ outcome, errorCode: error.code, durationMs: Date.now() - started }, 'ask job failed');
        return outcome;
      }
      if (context.lastAttempt) {
        await this.store.fail(jobId, 'execution_failed', 'The worker hit an unexpected error while answering. Try again later.');
      }
      throw error;
    }
  }
}
