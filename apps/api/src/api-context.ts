import { ApiKeyAuthenticator, ApiKeyFile, JwtVerifier } from '@flock/auth';
import type { FlockConfig } from '@flock/config';
import {
  JobFinishes,
  JobQueue,
  JobStore,
  SchemaSnapshots,
  WebhookQueue,
  probeRedisWrites,
  rateLimitKeyPrefix,
  redisClient,
  type FlockRedis,
  type JobName,
  type Telemetry,
} from '@flock/jobs';
import { RepeatedErrorLog, type Logger } from '@flock/logger';
import { KnowledgeStore, knowledgeDirOf } from '@flock/knowledge';
import { createTenantCatalog } from '@flock/warehouse';
import { callbackGuardOf } from '@flock/webhooks';
import type { AppDependencies } from './app';
import { AskService } from './ask/ask.service';
import { BoardSessions } from './admin/board-sessions';
import { Drain } from './health/drain';
import { ApiMetrics } from './http/metrics';
import { QueryAllService } from './query-all/query-all.service';
import { FailedAuthLimiter, callerLimit, rateLimit } from './http/rate-limit.middleware';
import { KnowledgeService } from './knowledge/knowledge.service';
import { QueryService } from './query/query.service';
import { SchemaService } from './schema/schema.service';
import { CallbackUrls } from './webhooks/callback-urls';

export interface ApiContext {
  deps: AppDependencies;
  close(): Promise<void>;
}

/**
 * Opens the API's connections and services from config. The API opens no warehouse:
 * tenant SQL and schema reads run on workers, so one tenant's heavy query can never
 * stall the process that answers everyone else.
 */
export function createApiContext(config: FlockConfig, logger: Logger, options: { telemetry?: Telemetry } = {}): ApiContext {
  // BullMQ's advice for producers: no offline queue, so while Redis is away a command
  // fails at once and the request answers 503, instead of waiting on a reconnection;
  // a reply that never comes (a stalled Redis) fails at the command timeout. Reconnects
  // are retried at least every second, so the API is back soon after Redis is.
  const redisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1_500,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 1_000),
  };
  // Until its first connection, though, commands wait for it (up to the command timeout),
  // so a process that has just started does not refuse its first requests.
  // With `pipelined`, commands issued in the same tick (concurrent requests' rate limits,
  // reads and writes) go out in one write: each socket write is a system call, and under
  // load the writes were about a tenth of the API's CPU per ask. Only for Flock's own
  // client: BullMQ's are left as BullMQ expects them.
  const connect = (pipelined = false): FlockRedis => {
    const client = redisClient(config, { ...redisOptions, enableOfflineQueue: true, enableAutoPipelining: pipelined });
    client.once('ready', () => (client.options.enableOfflineQueue = false));
    return client;
  };
  const redis = connect(true);
  // While Redis is away every client reports each reconnect attempt: once per kind and interval, with a count.
  const redisErrors = new RepeatedErrorLog(logger.child({ event: 'redis_error' }), 'redis connection error');
  redis.on('error', redisErrors.log);
  const store = new JobStore(redis, {
    prefix: config.redisPrefix,
    ttlMs: config.jobTtlMs,
    workerTimeoutMs: config.workerTimeoutMs,
  });
  // On one server each queue has a client of its own, which BullMQ makes and closes; on a
  // cluster they share one, closed below.
  const bullRedis = config.redisCluster ? connect() : undefined;
  const queueOf = <N extends JobName>(name: N) =>
    new JobQueue(name, {
      connection: bullRedis ?? { url: config.redisUrl, ...redisOptions },
      prefix: config.redisPrefix,
      telemetry: options.telemetry,
    });
  const askQueue = queueOf('ask');
  const queryAllQueue = queueOf('queryAll');
  const queryQueue = queueOf('query');
  const schemaQueue = queueOf('schema');
  // The fan-out's other steps are enqueued by workers; the API holds them only for Bull Board.
  const webhookQueue = new WebhookQueue(
    { connection: bullRedis ?? { url: config.redisUrl, ...redisOptions }, prefix: config.redisPrefix, telemetry: options.telemetry },
    { attempts: config.webhookAttempts, backoffMs: config.webhookBackoffMs },
  );
  // Webhooks are off without a signing secret: an unsigned callback could not be told from a forged one.
  const callbacks = new CallbackUrls(webhookQueue, config.webhookSecret ? callbackGuardOf(config) : undefined);
  const queues = [askQueue, queryAllQueue, queryQueue, schemaQueue, queueOf('queryAllChunk'), queueOf('queryAllMerge'), webhookQueue];
  for (const queue of queues) queue.queue.on('error', redisErrors.log);
  // Local files and MotherDuck-hosted buckets alike, so every endpoint accepts both.
  const catalog = createTenantCatalog(config);
  // Its own connection: a subscribed client can send no other command.
  const finishes = new JobFinishes(redis.duplicate(), config.redisPrefix);
  const snapshots = new SchemaSnapshots(redis, { prefix: config.redisPrefix, ttlMs: config.schemaSnapshotMs });
  // A synchronous call waits as long as the job may run; the store fails it after that.
  const waitMs = config.workerTimeoutMs + 1_000;
  const metrics = config.metrics ? new ApiMetrics(queues.map((queue) => queue.queue)) : undefined;

  const ask = new AskService(store, askQueue, catalog, finishes, callbacks);
  const schema = new SchemaService(store, schemaQueue, catalog, snapshots, waitMs);
  const query = new QueryService(store, queryQueue, catalog, waitMs);

  return {
    deps: {
      logger,
      ask,
      queryAll: new QueryAllService(store, queryAllQueue, catalog, finishes, callbacks),
      finishes,
      schema,
      query,
      knowledge: new KnowledgeService(new KnowledgeStore(knowledgeDirOf(config)), query, schema, ask, catalog),
      queues: queues.map((queue) => queue.queue),
      probeRedis: () => probeRedisWrites(redis, config.redisPrefix),
      drain: new Drain(),
      jwtVerifier: new JwtVerifier({
        secret: config.jwtSecret,
        jwksUrl: config.jwksUrl,
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
      }),
      apiKeys: new ApiKeyAuthenticator(new ApiKeyFile(config.apiKeysFile), config.adminApiKey, (message) =>
        logger.error({ event: 'api_keys_unreadable' }, message),
      ),
      failedAuth: new FailedAuthLimiter(redis, {
        keyPrefix: rateLimitKeyPrefix(config.redisPrefix, 'failed-auth'),
        points: config.failedAuthLimitPerMinute,
        durationSeconds: 60,
        onRejected: () => metrics?.rejected('failed_auth'),
      }),
      requestLimit: callerLimit(redis, {
        keyPrefix: rateLimitKeyPrefix(config.redisPrefix, 'requests'),
        points: config.requestRateLimitPerSecond,
        durationSeconds: 1,
        onRejected: () => metrics?.rejected('requests'),
      }),
      askRateLimit: rateLimit(redis, {
        keyPrefix: rateLimitKeyPrefix(config.redisPrefix, 'asks'),
        points: config.askRateLimitPerMinute,
        durationSeconds: 60,
        onRejected: () => metrics?.rejected('asks'),
      }),
      metrics,
      boardSessions: new BoardSessions(redis, { prefix: config.redisPrefix, ttlMs: config.boardSessionMs }),
      boardSessionMs: config.boardSessionMs,
      trustProxy: config.trustProxy,
      streamsPerCaller: config.streamsPerCaller,
      bodyLimit: config.bodyLimit,
      maxQuestionLength: config.maxQuestionLength,
      checkResponses: config.checkResponses,
    },
    async close() {
      redisErrors.close();
      await finishes.close();
      await Promise.all(queues.map((queue) => queue.close()));
      await redis.quit().catch(() => redis.disconnect());
      await bullRedis?.quit().catch(() => bullRedis.disconnect());
    },
  };
}
