import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A client Flock's stores and BullMQ can use alike: one Redis server, or a Redis Cluster. */
export type FlockRedis = Redis | Cluster;

/** Where Redis is (FlockConfig's redisUrl and redisCluster). */
export interface RedisTarget {
  /** One `redis://` URL, or on a cluster a comma-separated list of nodes to discover it from. */
  redisUrl: string;
  redisCluster: boolean;
}

/**
 * A new client for `target` with `options`. On a cluster, `options` apply to every
 * node's connection (credentials and TLS come from the first URL), and the listed nodes
 * are only where discovery starts. A reconnect strategy, if given, is the cluster's too.
 */
export function redisClient(target: RedisTarget, options: RedisOptions = {}): FlockRedis {
  if (!target.redisCluster) return new Redis(target.redisUrl, options);
  const urls = target.redisUrl.split(',').map((url) => new URL(url));
  const first = urls[0]!;
  const { retryStrategy, enableOfflineQueue, enableAutoPipelining, ...nodeOptions } = options;
  const clusterOptions: ClusterOptions = {
    redisOptions: {
      ...nodeOptions,
      ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
      ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
      ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
    },
    ...(retryStrategy ? { clusterRetryStrategy: (attempts: number) => retryStrategy(attempts) } : {}),
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    // The cluster client sends to its nodes itself: auto-pipelining is its setting, not theirs.
    ...(enableAutoPipelining === undefined ? {} : { enableAutoPipelining }),
  };
  return new Cluster(
    urls.map((url) => ({ host: url.hostname, port: Number(url.port || 6379) })),
    clusterOptions,
  );
}
