import { Redis } from 'ioredis';
import type { FlockConfig } from '@flock/config';
import { JobQueue, JobStore } from '@flock/jobs';
import type { Logger } from '@flock/logger';
import { DirectoryTenantCatalog } from '@flock/warehouse';
import type { AppDependencies } from './app';
import { AskService } from './ask/ask.service';

export interface ApiContext {
  deps: AppDependencies;
  close(): Promise<void>;
}

/** Opens the API's connections and services from config. */
export function createApiContext(config: FlockConfig, logger: Logger): ApiContext {
  // Commands wait briefly for a (re)connection, then fail: while Redis is down a
  // request gets an error within seconds instead of hanging until the client gives up.
  const redisOptions = { maxRetriesPerRequest: 2, commandTimeout: 5000 };
  const redis = new Redis(config.redisUrl, redisOptions);
  redis.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  const store = new JobStore(redis, {
    prefix: config.redisPrefix,
    ttlMs: config.jobTtlMs,
    workerTimeoutMs: config.workerTimeoutMs,
  });
  const askQueue = new JobQueue('ask', { connection: { url: config.redisUrl, ...redisOptions }, prefix: config.redisPrefix });
  askQueue.queue.on('error', (error) => logger.warn({ err: error }, 'queue connection error'));
  const catalog = new DirectoryTenantCatalog(config.warehouseDir);

  return {
    deps: {
      logger,
      ask: new AskService(store, askQueue, catalog),
      queues: [askQueue.queue],
      pingRedis: () => redis.ping(),
      bodyLimit: config.bodyLimit,
      maxQuestionLength: config.maxQuestionLength,
    },
    async close() {
      await askQueue.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
