import { Redis } from 'ioredis';
import type { FlockConfig } from '@flock/config';
import { JobStore, assertHandlers, startConsumers, watchAbandonedJobs, type JobHandlers } from '@flock/jobs';
import type { Logger } from '@flock/logger';
import { SqlGeneratorRouter, type SqlGenerator } from '@flock/sql';
import { createWarehouse } from '@flock/warehouse';
import { AskService } from './ask/ask.service';

export interface WorkerRuntime {
  /** Stops taking jobs, lets in-flight ones finish until the deadline, then closes Redis and DuckDB. */
  close(): Promise<void>;
}

/**
 * Wires one worker process: Redis, the job store, the warehouse sandbox and the
 * consumers. main.ts calls it with the environment's config; tests call it in-process
 * with their own config and generator.
 */
export function startWorkerRuntime(config: FlockConfig, generator: SqlGenerator | SqlGeneratorRouter, logger: Logger): WorkerRuntime {
  const generators = SqlGeneratorRouter.of(generator);
  // BullMQ workers block on Redis and must retry forever rather than fail a command.
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const storeRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  const store = new JobStore(storeRedis, {
    prefix: config.redisPrefix,
    ttlMs: config.jobTtlMs,
    workerTimeoutMs: config.workerTimeoutMs,
  });
  const warehouse = createWarehouse(config);
  const ask = new AskService(store, warehouse, generators, logger.child({ component: 'ask' }), {
    workerTimeoutMs: config.workerTimeoutMs,
    queryTimeoutMs: config.queryTimeoutMs,
  });

  const handlers: Partial<JobHandlers> = {
    ask: (payload, context) => ask.answer(payload, context),
  };
  assertHandlers(handlers);

  const workers = startConsumers(handlers, {
    connection,
    prefix: config.redisPrefix,
    concurrency: config.workerConcurrency,
    lockDurationMs: config.lockDurationMs,
    stalledIntervalMs: config.stalledIntervalMs,
  });
  for (const worker of workers) {
    const log = logger.child({ queue: worker.name });
    worker.on('error', (error) => log.error({ err: error }, 'worker error'));
    worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled; its worker stopped renewing the lock'));
    worker.on('failed', (job, error) => {
      log.error({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, 'job attempt failed');
    });
  }
  // Its own connection: QueueEvents blocks on XREAD and must not share the consumers' client.
  const abandoned = watchAbandonedJobs('ask', { connection: { url: config.redisUrl, maxRetriesPerRequest: null }, prefix: config.redisPrefix }, (jobId) => {
    store
      .fail(jobId, 'worker_timeout', 'The workers answering this job stopped before finishing. Try again.')
      .catch((error: unknown) => logger.error({ err: error, jobId }, 'could not record an abandoned job'));
  });
  logger.info(
    { concurrency: config.workerConcurrency, generators: generators.engines().map((engine) => engine.name) },
    'worker started',
  );

  return {
    async close() {
      const deadline = new Promise<'deadline'>((resolve) =>
        setTimeout(() => resolve('deadline'), config.shutdownTimeoutMs).unref(),
      );
      const drained = Promise.all(workers.map((worker) => worker.close())).then(() => 'drained' as const);
      if ((await Promise.race([drained, deadline])) === 'deadline') {
        logger.warn('shutdown deadline reached; abandoning in-flight jobs to stalled-job recovery');
        await Promise.all(workers.map((worker) => worker.close(true)));
      }
      await abandoned.close();
      await Promise.all([connection.quit(), storeRedis.quit()]);
      warehouse.close();
    },
  };
}
