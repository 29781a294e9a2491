import { Redis } from 'ioredis';
import { ApiKeyAuthenticator, ApiKeyFile, JwtVerifier } from '@flock/auth';
import type { FlockConfig } from '@flock/config';
import { JobQueue, JobStore, rateLimitKeyPrefix } from '@flock/jobs';
import type { Logger } from '@flock/logger';
import { createTenantWarehouse, type TenantWarehouseOptions } from '@flock/warehouse';
import type { AppDependencies } from './app';
import { AskService } from './ask/ask.service';
import { QueryAllService } from './query-all/query-all.service';
import { rateLimit } from './http/rate-limit.middleware';
import { QueryService } from './query/query.service';
import { SchemaService } from './schema/schema.service';

export interface ApiContext {
  deps: AppDependencies;
  close(): Promise<void>;
}

/** Opens the API's connections and services from config; tests may hand MotherDuck a local stand-in. */
export function createApiContext(config: FlockConfig, logger: Logger, warehouseOptions: TenantWarehouseOptions = {}): ApiContext {
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
  const queryAllQueue = new JobQueue('queryAll', { connection: { url: config.redisUrl, ...redisOptions }, prefix: config.redisPrefix });
  // The fan-out's other steps are enqueued by workers; the API holds them only for Bull Board.
  const boardOnly = (['queryAllChunk', 'queryAllMerge'] as const).map(
    (name) => new JobQueue(name, { connection: { url: config.redisUrl, ...redisOptions }, prefix: config.redisPrefix }),
  );
  const queues = [askQueue, queryAllQueue, ...boardOnly];
  for (const queue of queues) queue.queue.on('error', (error) => logger.warn({ err: error }, 'queue connection error'));
  // For the synchronous schema and SQL endpoints: the same sandbox and limits as workers.
  const warehouse = createTenantWarehouse(config, warehouseOptions);
  // Local files and MotherDuck-hosted buckets alike, so asks and /query-all accept both.
  const { catalog } = warehouse;

  return {
    deps: {
      logger,
      ask: new AskService(store, askQueue, catalog),
      queryAll: new QueryAllService(store, queryAllQueue, catalog),
      schema: new SchemaService(warehouse),
      query: new QueryService(warehouse),
      queues: queues.map((queue) => queue.queue),
      pingRedis: () => redis.ping(),
      jwtVerifier: new JwtVerifier({
        secret: config.jwtSecret,
        jwksUrl: config.jwksUrl,
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
      }),
      apiKeys: new ApiKeyAuthenticator(new ApiKeyFile(config.apiKeysFile), config.adminApiKey),
      requestRateLimit: rateLimit(redis, {
        keyPrefix: rateLimitKeyPrefix(config.redisPrefix, 'requests'),
        points: config.requestRateLimitPerSecond,
        durationSeconds: 1,
      }),
      askRateLimit: rateLimit(redis, {
        keyPrefix: rateLimitKeyPrefix(config.redisPrefix, 'asks'),
        points: config.askRateLimitPerMinute,
        durationSeconds: 60,
      }),
      bodyLimit: config.bodyLimit,
      maxQuestionLength: config.maxQuestionLength,
    },
    async close() {
      await Promise.all(queues.map((queue) => queue.close()));
      warehouse.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
