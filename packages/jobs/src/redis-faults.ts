import { ReplyError } from 'ioredis';
import type { FlockRedis } from './redis-client';
import { readinessProbeKey } from './ids';

/**
 * Replies with which Redis refuses a command for its own state, not for the command:
 * full (OOM, under the noeviction BullMQ requires), still loading its data, a replica,
 * a failed disk write, a busy script, a cluster in flux.
 */
const REFUSALS = /^(OOM|LOADING|READONLY|MASTERDOWN|MISCONF|BUSY|CLUSTERDOWN|TRYAGAIN|NOREPLICAS)\b/;

/** What ioredis says when there is no connection to send on, or no reply came back in time. */
const NO_CONNECTION =
  /Stream isn't writeable|Connection is closed|Command timed out|Reached the max retries per request|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND/;

/**
 * Whether an error means Redis cannot serve Flock right now (unreachable, or refusing
 * writes), so the caller should hear 503 and try again, rather than a bug's 500. A
 * script or type error from Redis is a bug and is not one of these.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof ReplyError) return REFUSALS.test(error.message);
  return NO_CONNECTION.test(error.message);
}

/**
 * Resolves when Redis takes a write now, rejects otherwise: unreachable, loading, or
 * full. A PING passes in all of those but the first, while every job submit fails.
 */
export async function probeRedisWrites(redis: FlockRedis, prefix: string): Promise<void> {
  await redis.set(readinessProbeKey(prefix), '1', 'PX', 10_000);
}
