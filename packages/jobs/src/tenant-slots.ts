import type { Redis } from 'ioredis';
import { tenantSlotsKey } from './ids';

/**
 * KEYS[1] the bucket's slot set; ARGV: holder, limit, lease_ms. A sorted set of holders
 * scored by when their lease lapses: lapsed holders (a worker that died) are dropped
 * first, then the holder gets a slot if one is free. Judged by Redis's clock, so every
 * worker replica agrees. Returns 1 when the holder has a slot.
 */
const ACQUIRE = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local lease = tonumber(ARGV[3])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease)
  return 1
end
return 0`;

type SlotRedis = Redis & { flockSlotAcquire(key: string, holder: string, limit: number, leaseMs: number): Promise<number> };

export interface TenantSlotOptions {
  prefix: string;
  /** How long a slot is held at most: a job that outlives it (its worker died) frees it. */
  leaseMs: number;
}

/**
 * How many jobs of one kind a bucket runs at once, across every worker replica. A
 * tenant that floods slow queries then holds only its own few slots, and its other jobs
 * wait (postponed in the queue) without holding up anyone else's.
 */
export class TenantSlots {
  private readonly redis: SlotRedis;

  constructor(
    redis: Redis,
    private readonly options: TenantSlotOptions,
  ) {
    redis.defineCommand('flockSlotAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    this.redis = redis as SlotRedis;
  }

  /** Whether `holder` (a job id) may run now as one of at most `limit` of the bucket's `kind` jobs. */
  async acquire(bucket: string, kind: string, holder: string, limit: number): Promise<boolean> {
    const key = tenantSlotsKey(this.options.prefix, bucket, kind);
    return (await this.redis.flockSlotAcquire(key, holder, limit, this.options.leaseMs)) === 1;
  }

  async release(bucket: string, kind: string, holder: string): Promise<void> {
    await this.redis.zrem(tenantSlotsKey(this.options.prefix, bucket, kind), holder);
  }
}
