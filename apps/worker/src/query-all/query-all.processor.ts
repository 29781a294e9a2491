import { GenerationFailedError } from '@flock/errors';
import {
  chunkStepId,
  mergeStepId,
  type FinishOutcome,
  type FlowQueue,
  type JobContext,
  type JobStore,
  type QueryAllChunkPayload,
  type QueryAllJobPayload,
  type QueryAllMergePayload,
} from '@flock/jobs';
import type { Logger } from '@flock/logger';
import { findTable } from '@flock/schema';
import type { SqlGeneratorRouter } from '@flock/sql';
import type { BucketOutcome, FanOutRunner, StandaloneSqlValidator, TenantWarehouse } from '@flock/warehouse';
import { attemptJob } from '../job-attempt';
import type { WorkerMetrics } from '../metrics';
import { chunkOutcomes, chunkPart, combineOutcomes } from './combine';

export interface QueryAllProcessorOptions {
  /** Per-bucket query limit, as for ask. */
  queryTimeoutMs: number;
  /** Most buckets per chunk job; chunks are balanced so none is much smaller. */
  chunkSize: number;
  maxRows: number;
  maxBytes: number;
}

export interface QueryAllProcessorDependencies {
  store: JobStore;
  warehouse: TenantWarehouse;
  fanOut: FanOutRunner;
  generators: SqlGeneratorRouter;
  validator: StandaloneSqlValidator;
  flow: FlowQueue;
  logger: Logger;
  metrics?: WorkerMetrics;
}

/** How many buckets' schemas NL mode reads, at most, looking for one that has the filtered table. */
const SCHEMA_PROBE_LIMIT = 50;

/**
 * One query over many tenants, in three BullMQ steps:
 * 1. plan: generate the SQL once (NL mode), validate it once, and add a flow whose
 *    children are chunks of buckets and whose parent is the merge;
 * 2. chunk (on any worker replica): run the SQL on each bucket of the chunk;
 * 3. merge: once every chunk has finished or failed for good, combine and store.
 * A chunk that keeps failing is reported by the merge as errors for its buckets, so
 * the job always finishes; the job store's worker timeout covers the rest.
 */
export class QueryAllProcessor {
  constructor(
    private readonly deps: QueryAllProcessorDependencies,
    private readonly options: QueryAllProcessorOptions,
  ) {}

  async plan(payload: QueryAllJobPayload, context: JobContext): Promise<FinishOutcome | 'planned' | 'skipped'> {
    const { jobId } = payload;
    const log = this.deps.logger.child({ jobId, step: 'plan', attempt: context.attempt });
    const unexpected = 'The worker hit an unexpected error while planning the query. Try again later.';
    const engine = payload.question ? this.deps.generators.forBucket(payload.buckets[0] ?? '').name : 'none';
    const ended = this.deps.metrics?.startJob({ kind: 'queryAll', engine });
    return attemptJob({ store: this.deps.store, jobId, context, log, what: 'query-all plan', unexpected, ended }, async (record) => {
      const deadline = this.deps.store.deadlineOf(record);
      const generatedSql = payload.question ? await this.generate(payload.question, payload.buckets, deadline, payload.table) : undefined;
      const sql = generatedSql ?? payload.sql!;
      await this.deps.validator.assertCrossTenantSelect(sql);
      const chunks = chunk(payload.buckets, this.options.chunkSize);
      // Before the chunks can run: each adds its buckets to the progress polls show.
      await this.deps.store.setProgressTotal(record, payload.buckets.length);
      await this.deps.flow.add(
        { name: 'queryAllMerge', id: mergeStepId(jobId), payload: { jobId, chunks, ...(generatedSql ? { generatedSql } : {}) } },
        chunks.map((buckets, index) => ({
          name: 'queryAllChunk' as const,
          id: chunkStepId(jobId, index),
          payload: { jobId, index, sql, buckets, deadline, ...(payload.table ? { table: payload.table } : {}) },
        })),
      );
      log.info({ buckets: payload.buckets.length, chunks: chunks.length }, 'query-all planned');
      await context.log(
        `planned: ${generatedSql ? `SQL written by ${engine}` : 'SQL given'}, guard passed`,
        `${payload.buckets.length} databases in ${chunks.length} chunks of up to ${this.options.chunkSize}`,
      );
      return 'planned' as const;
    });
  }

  /** Runs one chunk and stores its outcomes beside the job's record; returns only how many buckets it ran. */
  async runChunk(payload: QueryAllChunkPayload, context: JobContext): Promise<{ buckets: number } | 'skipped'> {
    const record = await this.deps.store.get(payload.jobId);
    // The merge skips a job that has ended too, so nothing needs storing for it.
    if (!record || record.status !== 'processing') {
      await context.log(`skipped: the job is ${record?.status ?? 'gone'}`);
      return 'skipped';
    }
    const started = Date.now();
    const outcomes = await this.deps.fanOut.run({
      buckets: payload.buckets,
      sql: payload.sql,
      table: payload.table,
      deadline: payload.deadline,
      queryTimeoutMs: this.options.queryTimeoutMs,
      maxRows: this.options.maxRows,
      maxBytes: this.options.maxBytes,
    });
    const count = (status: BucketOutcome['status']) => outcomes.filter((outcome) => outcome.status === status).length;
    const durationMs = Date.now() - started;
    this.deps.logger.info(
      { jobId: payload.jobId, step: 'chunk', buckets: payload.buckets.length, errored: count('error'), durationMs },
      'query-all chunk done',
    );
    const progress = await this.deps.store.putPart(
      record,
      payload.index,
      { ...chunkPart(outcomes), buckets: outcomes.length },
      this.options,
    );
    await Promise.all([
      context.log(
        `chunk ${payload.index}: ${count('ok')} queried, ${count('skipped')} skipped, ${count('error')} errored, in ${durationMs} ms`,
        `progress: ${progress.done} of ${progress.total} databases`,
      ),
      progress.total > 0 ? context.progressParent((100 * progress.done) / progress.total) : undefined,
    ]);
    return { buckets: outcomes.length };
  }

  async merge(payload: QueryAllMergePayload, context: JobContext): Promise<FinishOutcome | 'skipped'> {
    const { jobId } = payload;
    const log = this.deps.logger.child({ jobId, step: 'merge', attempt: context.attempt });
    const record = await this.deps.store.get(jobId);
    if (!record || record.status !== 'processing') {
      // Timed out meanwhile: its parts can only be read by this merge, so they go now.
      await this.deps.store.dropParts(jobId, payload.chunks.length);
      return 'skipped';
    }
    const parts = (await this.deps.store.getParts(jobId, payload.chunks.length)).map((part) => part && chunkOutcomes(part));
    const outcomes = new Map<string, BucketOutcome>();
    payload.chunks.forEach((buckets, index) => {
      const answered = parts[index];
      for (const bucket of buckets) {
        const outcome = answered?.find((candidate) => candidate.bucket === bucket);
        // A chunk that failed for good (its worker died twice, or it hit an unexpected
        // error) says nothing about why; the reason stays in the worker log.
        outcomes.set(
          bucket,
          outcome ?? { bucket, status: 'error', message: 'The worker querying this database stopped before finishing.' },
        );
      }
    });
    const combined = combineOutcomes(payload.chunks.flat(), outcomes, this.options);
    const outcome = await this.deps.store.complete(jobId, {
      columns: combined.columns,
      rows: combined.rows,
      ...(payload.generatedSql ? { generated_sql: payload.generatedSql } : {}),
      meta: {
        ...combined.meta,
        execution_time_seconds: Math.round(Date.now() - record.submittedAt) / 1000,
        chunks: payload.chunks.length,
      },
    });
    await this.deps.store.dropParts(jobId, payload.chunks.length);
    await context.log(
      `merged ${payload.chunks.length} chunks: ${combined.meta.databases_queried} queried, ${combined.meta.databases_skipped} skipped, ${combined.meta.databases_errored} errored, ${combined.meta.total_rows} rows, outcome ${outcome}`,
    );
    log.info(
      {
        outcome,
        queried: combined.meta.databases_queried,
        skipped: combined.meta.databases_skipped,
        errored: combined.meta.databases_errored,
        totalRows: combined.meta.total_rows,
      },
      'query-all finished',
    );
    return outcome;
  }

  /**
   * NL mode writes the SQL once, from one tenant's schema, and runs it everywhere: the
   * schema of the first bucket that has the filtered table, or of the first bucket.
   */
  private async generate(question: string, buckets: string[], deadline: number, table?: string): Promise<string> {
    for (const bucket of buckets.slice(0, SCHEMA_PROBE_LIMIT)) {
      let schema;
      try {
        schema = await this.deps.warehouse.schema(bucket);
      } catch {
        continue; // an unreadable database is reported by its chunk; try the next one
      }
      if (table && !findTable(schema, table)) continue;
      const generated = await this.deps.generators.forBucket(bucket).generate({ question, bucket, schema, deadline });
      return generated.sql;
    }
    throw new GenerationFailedError(
      table
        ? `Could not generate SQL: none of the first ${SCHEMA_PROBE_LIMIT} buckets has a table named '${table}'.`
        : 'Could not generate SQL: no bucket schema could be read.',
    );
  }
}

/** At most `size` items per chunk, spread evenly: 177 by 50 gives 4 chunks of 44 or 45, not 3 of 50 and one of 27. */
export function chunk<T>(items: T[], size: number): T[][] {
  const count = Math.ceil(items.length / size);
  const chunks: T[][] = [];
  for (let i = 0; i < count; i++) {
    chunks.push(items.slice(Math.floor((i * items.length) / count), Math.floor(((i + 1) * items.length) / count)));
  }
  return chunks;
}
