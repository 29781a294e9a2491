import { within } from '@flock/errors';
import type { FlockConfig } from '@flock/config';
import {
  FlowQueue,
  JobStore,
  SchemaSnapshots,
  TenantSlots,
  AnswerCache,
  WebhookQueue,
  assertHandlers,
  redisClient,
  jobIdOfStep,
  startConsumers,
  sweepFinishedJobs,
  watchAbandonedJobs,
  type JobHandlers,
  type Telemetry,
} from '@flock/jobs';
import { KnowledgeStore, knowledgeDirOf } from '@flock/knowledge';
import { RepeatedErrorLog, type Logger } from '@flock/logger';
import { SqlGeneratorRouter, type SqlGenerator } from '@flock/sql';
import {
  FanOutRunner,
  StandaloneSqlValidator,
  createTenantWarehouse,
  sandboxLimitsOf,
  type RoutingWarehouse,
  type TenantWarehouseOptions,
} from '@flock/warehouse';
import { WebhookSender, callbackGuardOf } from '@flock/webhooks';
import { AskProcessor } from './ask/ask.processor';
import { fairShare } from './fair-share';
import { readAhead } from './job-attempt';
import { WorkerMetrics } from './metrics';
import { QueryProcessor } from './query/query.processor';
import { SchemaProcessor } from './schema/schema.processor';
import { QueryAllProcessor } from './query-all/query-all.processor';
import { WebhookProcessor } from './webhook/webhook.processor';

/** How long jobs whose queries were interrupted at the shutdown deadline get to be handed back to the queue. */
const INTERRUPTED_WITHIN_MS = 300;

export interface WorkerRuntime {
  /**
   * Stops taking jobs and lets in-flight ones finish until the shutdown deadline. Past
   * it, their queries are interrupted and their jobs handed back to the queue. Then it
   * closes Redis and DuckDB.
   */
  close(): Promise<void>;
  /**
   * Resolves once a query has ignored DuckDB's interrupt for too long: its thread can
   * only be freed by ending this process, so the process should drain and be replaced.
   */
  readonly recycleNeeded: Promise<void>;
  /** This process's metrics, served by the supervisor (see operations.ts); undefined when FLOCK_METRICS is off. */
  readonly metrics?: WorkerMetrics;
  /** Why this process cannot take jobs now (Redis away, closing), or undefined when it can. */
  notReady(): string | undefined;
}

/**
 * Wires one worker process: Redis, the job store, the warehouse sandbox and the
 * consumers. main.ts calls it with the environment's config; tests call it in-process
 * with their own config and generator, and may hand MotherDuck a local stand-in.
 */
export function startWorkerRuntime(
  config: FlockConfig,
  generator: SqlGenerator | SqlGeneratorRouter,
  logger: Logger,
  warehouseOptions: TenantWarehouseOptions = {},
  options: { telemetry?: Telemetry } = {},
): WorkerRuntime {
  const generators = SqlGeneratorRouter.of(generator);
  // BullMQ workers block on Redis and must retry forever rather than fail a command.
  const connection = redisClient(config, { maxRetriesPerRequest: null });
  // The running jobs' store, slot and log commands issued in the same tick go out in one
  // write (see the API's client); BullMQ's blocking connection above must not.
  const storeRedis = redisClient(config, { maxRetriesPerRequest: 3, enableAutoPipelining: true });
  // While Redis refuses writes or is away, these fire in a loop: each kind once per interval, with a count.
  const redisErrors = new RepeatedErrorLog(logger.child({ event: 'redis_error' }), 'redis connection error');
  const queueSettings = {
    // On one server BullMQ makes (and closes) clients of its own from these options; a
    // cluster client is shared instead, and closed with the consumers' below.
    connection: config.redisCluster ? connection : { url: config.redisUrl, maxRetriesPerRequest: null },
    prefix: config.redisPrefix,
    onError: redisErrors.log,
    telemetry: options.telemetry,
  };
  const webhooks = new WebhookQueue(queueSettings, { attempts: config.webhookAttempts, backoffMs: config.webhookBackoffMs });
  webhooks.queue.on('error', redisErrors.log);
  const store = new JobStore(storeRedis, {
    prefix: config.redisPrefix,
    ttlMs: config.jobTtlMs,
    workerTimeoutMs: config.workerTimeoutMs,
    // A job's webhook delivery waits for its deadline; its answer, once stored, sends it at once.
    onFinished: (jobId) => webhooks.wake(jobId),
  });
  // Aborted at the shutdown deadline: every running query is interrupted and its job goes back to the queue.
  const stopping = new AbortController();
  let needRecycle = () => undefined as void;
  const recycleNeeded = new Promise<void>((resolve) => (needRecycle = resolve));
  const warehouse = createTenantWarehouse(config, {
    ...warehouseOptions,
    stopping: stopping.signal,
    stuckQuery: {
      afterMs: config.workerRecycleAfterMs,
      onStuck(bucket) {
        logger.error(
          { event: 'query_stuck', bucket, afterMs: config.workerRecycleAfterMs },
          'a query ignored its interrupt past its time limit; recycling this worker process to free its thread',
        );
        needRecycle();
      },
    },
  });
  const metrics = config.metrics ? new WorkerMetrics(() => warehouse.poolStats()) : undefined;
  const ask = new AskProcessor(store, warehouse, generators, logger.child({ component: 'ask' }), {
    queryTimeoutMs: config.queryTimeoutMs,
    charts: config.charts,
    metrics,
    answers: config.answerCache ? new AnswerCache(storeRedis, store, { prefix: config.redisPrefix, ttlMs: config.jobTtlMs }) : undefined,
    knowledge: new KnowledgeStore(knowledgeDirOf(config)),
  });

  const flow = new FlowQueue(queueSettings);
  const validator = new StandaloneSqlValidator();
  // The combined catalog, so a hosted bucket can never be attached from a same-named local file.
  const fanOut = new FanOutRunner(warehouse.catalog, sandboxLimitsOf(config), { hosted: warehouse, stopping: stopping.signal });
  const queryAll = new QueryAllProcessor(
    { store, warehouse, fanOut, generators, validator, flow, logger: logger.child({ component: 'query-all' }), metrics },
    {
      queryTimeoutMs: config.queryTimeoutMs,
      chunkSize: config.queryAllChunkSize,
      maxRows: config.maxResultRows,
      maxBytes: config.maxResultBytes,
    },
  );

  const query = new QueryProcessor(store, warehouse, logger.child({ component: 'query' }), {
    queryTimeoutMs: config.queryTimeoutMs,
    metrics,
  });
  const snapshots = new SchemaSnapshots(storeRedis, { prefix: config.redisPrefix, ttlMs: config.schemaSnapshotMs });
  const schema = new SchemaProcessor(store, warehouse, snapshots, logger.child({ component: 'schema' }), metrics);

  const webhook = new WebhookProcessor(
    store,
    config.webhookSecret
      ? new WebhookSender(callbackGuardOf(config), {
          secret: config.webhookSecret,
          timeoutMs: config.webhookTimeoutMs,
        })
      : undefined,
    logger.child({ component: 'webhook' }),
  );

  // A slot outlives any job that still counts: the worker timeout ends the job itself.
  const slots = new TenantSlots(storeRedis, { prefix: config.redisPrefix, leaseMs: config.workerTimeoutMs });
  const fairly = fairShare(slots, {
    caps: { ask: config.tenantConcurrency, query: config.tenantQueryConcurrency },
    lend: Math.floor(config.workerConcurrency * config.tenantBorrowShare),
    fastMs: config.tenantBorrowMs,
  });

  const handlers: Partial<JobHandlers> = {
    ask: async (payload, context) => {
      // An answer the cache already holds runs no query, so it takes none of the bucket's slots.
      const cache = await ask.lookUp(payload);
      if (cache.earlier) return ask.answer(payload, context, { cache });
      // Only what runs here in milliseconds borrows: an LLM's or MotherDuck's round trips would be lost with the slot.
      const lendable = generators.forBucket(payload.bucket).local === true && !warehouse.isHosted(payload.bucket);
      const job = { kind: 'ask', bucket: payload.bucket, jobId: payload.jobId, context, lendable } as const;
      const record = readAhead(store, payload.jobId);
      return fairly(job, (reclaim) => ask.answer(payload, context, { cache, reclaim, record }));
    },
    queryAll: (payload, context) => queryAll.plan(payload, context),
    queryAllChunk: (payload, context) => timed(metrics, 'queryAllChunk', () => queryAll.runChunk(payload, context)),
    queryAllMerge: (payload, context) => timed(metrics, 'queryAllMerge', () => queryAll.merge(payload, context)),
    query: (payload, context) => {
      const record = readAhead(store, payload.jobId);
      // A caller's own SQL can be as heavy as it likes: it never borrows a slot.
      return fairly({ kind: 'query', bucket: payload.bucket, jobId: payload.jobId, context, lendable: false }, () =>
        query.run(payload, context, record),
      );
    },
    schema: (payload, context) => schema.read(payload, context),
    webhook: (payload, context) => webhook.deliver(payload, context),
  };
  assertHandlers(handlers);

  const workers = startConsumers(handlers, {
    connection,
    prefix: config.redisPrefix,
    concurrency: config.workerConcurrency,
    lockDurationMs: config.lockDurationMs,
    stalledIntervalMs: config.stalledIntervalMs,
    telemetry: options.telemetry,
  });
  connection.on('error', redisErrors.log);
  storeRedis.on('error', redisErrors.log);
  const workerErrors = workers.map((worker) => {
    const log = logger.child({ queue: worker.name });
    const errors = new RepeatedErrorLog(log.child({ event: 'worker_error' }), 'worker error');
    const failures = new RepeatedErrorLog(log.child({ event: 'job_attempt_failed' }), 'job attempt failed');
    worker.on('error', errors.log);
    worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled; its worker stopped renewing the lock'));
    worker.on('failed', (_job, error) => failures.log(error));
    return [errors, failures];
  });
  // Jobs whose workers kept dying are failed by BullMQ, not by a handler; their records
  // must say so at once. A chunk's failure needs nothing here: its merge reports its buckets.
  watchAbandonedJobs(workers, ['ask', 'queryAll', 'queryAllMerge', 'query', 'schema'], (jobId) => {
    const recordId = jobIdOfStep(jobId);
    store
      .fail(recordId, 'worker_timeout', 'The workers answering this job stopped before finishing. Try again.')
      .catch((error: unknown) => logger.error({ err: error, jobId: recordId }, 'could not record an abandoned job'));
  });
  // BullMQ's job keys go with the job's record: the same age, checked often enough
  // that none outlives the record by more than a minute.
  const sweeper = sweepFinishedJobs(queueSettings, storeRedis, { ageMs: config.jobTtlMs, everyMs: Math.min(30_000, config.jobTtlMs / 2) });
  logger.info(
    { event: 'worker_started', concurrency: config.workerConcurrency, generators: generators.engines().map((engine) => engine.name) },
    'worker started',
  );

  const closing = new AbortController();
  const prefetched = config.schemaPrefetch ? prefetchSchemas(warehouse, generators, closing.signal, logger) : Promise.resolve();

  return {
    recycleNeeded,
    metrics,
    notReady() {
      if (closing.signal.aborted) return 'This worker process is shutting down';
      if (connection.status !== 'ready' || storeRedis.status !== 'ready') return 'Redis is unreachable';
      return undefined;
    },
    async close() {
      closing.abort();
      const drained = Promise.all(workers.map((worker) => worker.close()));
      if (!(await within(drained, config.shutdownTimeoutMs))) {
        logger.warn(
          { event: 'shutdown_interrupting' },
          'shutdown deadline reached; interrupting running queries, their jobs go back to the queue',
        );
        stopping.abort();
        // An interrupted query ends in milliseconds and its job is handed back; one that
        // ignores the interrupt (or a slow LLM call) is left to stalled-job recovery.
        if (!(await within(drained, INTERRUPTED_WITHIN_MS))) await Promise.all(workers.map((worker) => worker.close(true)));
      }
      // Independent of each other, so closed together: the exit must come within a second of the deadline.
      await Promise.all([sweeper.close(), flow.close(), webhooks.close()]);
      await Promise.all([connection.quit(), storeRedis.quit()]);
      for (const log of [redisErrors, ...workerErrors.flat()]) log.close();
      await validator.close();
      fanOut.close();
      await Promise.all(generators.engines().map((engine) => engine.close?.()));
      await prefetched; // it stops after the bucket it is reading
      warehouse.close();
    },
  };
}

/** Times a step that answers into no record of its own (a fan-out's chunk or merge): it either completes or throws. */
async function timed<T>(metrics: WorkerMetrics | undefined, kind: string, step: () => Promise<T>): Promise<T> {
  const ended = metrics?.startJob({ kind });
  try {
    const value = await step();
    ended?.('completed');
    return value;
  } catch (error) {
    ended?.('error');
    throw error;
  }
}

/**
 * Reads the local buckets' schemas in the background, with what each bucket's engine
 * derives from them, and logs what it did; never fails the worker.
 */
async function prefetchSchemas(
  warehouse: RoutingWarehouse,
  generators: SqlGeneratorRouter,
  signal: AbortSignal,
  logger: Logger,
): Promise<void> {
  const started = Date.now();
  try {
    const outcome = await warehouse.prefetchSchemas(signal, (bucket, schema) => generators.forBucket(bucket).prepare?.(schema));
    logger.info({ event: 'schemas_prefetched', ...outcome, ms: Date.now() - started }, 'bucket schemas prefetched');
  } catch (error) {
    logger.warn({ event: 'schemas_prefetch_failed', err: error }, 'could not prefetch bucket schemas; they are read on first ask');
  }
}
