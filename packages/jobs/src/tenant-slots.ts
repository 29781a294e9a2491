import type { FlockRedis } from './redis-client';
import { tenantSlotsKey, tenantSlowCountKey, tenantSlowKey, tenantWaitingKey } from './ids';

/**
 * Lua that drops the lapsed holders (a worker that died) of the slot set KEYS[1], and
 * leaves `now` set to Redis's clock in ms: judged by Redis's clock, every worker
 * replica agrees on who lapsed. Both scripts below start with it.
 */
const DROP_LAPSED = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
`;

/**
 * KEYS[1] the bucket's slot set, KEYS[2] its waiting jobs, KEYS[3] its slow mark; ARGV:
 * holder, limit, lease_ms. A sorted set of holders scored by when their lease lapses:
 * lapsed holders are dropped first, then the holder gets a slot if one is free, and
 * stops waiting. Returns 1 when the holder has a slot; otherwise -1 when the bucket's
 * jobs were marked slow, else 0.
 */
const ACQUIRE = `${DROP_LAPSED}local lease = tonumber(ARGV[3])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], lease)
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 1
end
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
return 0`;

/**
 * KEYS[1] the bucket's slot set, KEYS[2] its waiting jobs; ARGV: holder, limit. Frees
 * the holder's slot (and any lapsed ones) and, if that leaves one free under the limit,
 * takes the job that has waited longest, if any, for the caller to wake. Returns that
 * job's id, or false. A freed slot the bucket had borrowed beyond its limit wakes
 * nobody: the woken job would find the bucket still full and go back to the end of the line.
 */
const RELEASE = `${DROP_LAPSED}redis.call('ZREM', KEYS[1], ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return false end
return redis.call('ZPOPMIN', KEYS[2])[1] or false`;

/**
 * KEYS[1] the bucket's slow mark, KEYS[2] its count of recent marks; ARGV: first_ms,
 * most_ms, memory_ms. A mark set while none lasts counts one more: it lasts first_ms,
 * doubled for each mark before it within memory_ms, up to most_ms. One set while a
 * mark lasts renews it to at least that long. Returns the mark's length in ms.
 */
const MARK_SLOW = `if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('INCR', KEYS[2]) end
local count = tonumber(redis.call('GET', KEYS[2]) or '1')
redis.call('PEXPIRE', KEYS[2], ARGV[3])
local ms = math.floor(math.min(tonumber(ARGV[2]), tonumber(ARGV[1]) * 2 ^ (count - 1)))
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
return ms`;

/** How long a bucket's slow marks last: the first, the longest, and how long earlier ones count. */
export interface SlowMarks {
  firstMs: number;
  mostMs: number;
  memoryMs: number;
}

/** A slot held; none because the bucket's are all taken; or none, and its jobs lately ran slow. */
export type SlotGrant = 'held' | 'full' | 'slow';

const GRANTS: Record<number, SlotGrant> = { 1: 'held', 0: 'full', [-1]: 'slow' };

type SlotRedis = FlockRedis & {
  flockSlotAcquire(slots: string, waiting: string, slow: string, holder: string, limit: number, leaseMs: number): Promise<number>;
  flockSlotRelease(slots: string, waiting: string, holder: string, limit: number): Promise<string | null>;
  flockSlotMarkSlow(slow: string, count: string, firstMs: number, mostMs: number, memoryMs: number): Promise<number>;
};

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
    redis: FlockRedis,
    private readonly options: TenantSlotOptions,
  ) {
    redis.defineCommand('flockSlotAcquire', { numberOfKeys: 3, lua: ACQUIRE });
    redis.defineCommand('flockSlotRelease', { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand('flockSlotMarkSlow', { numberOfKeys: 2, lua: MARK_SLOW });
    this.redis = redis as SlotRedis;
  }

  /** Whether `holder` (a job id) may run now as one of at most `limit` of the bucket's `kind` jobs. */
  async acquire(bucket: string, kind: string, holder: string, limit: number): Promise<SlotGrant> {
    const { prefix, leaseMs } = this.options;
    const keys = [
      tenantSlotsKey(prefix, bucket, kind),
      tenantWaitingKey(prefix, bucket, kind),
      tenantSlowKey(prefix, bucket, kind),
    ] as const;
    return GRANTS[await this.redis.flockSlotAcquire(...keys, holder, limit, leaseMs)]!;
  }

  /**
   * A slot for `holder` beyond the bucket's limit, lent by a caller that knows no one
   * else wants it. It counts like any other, so the bucket's own jobs see it taken, and
   * its release hands it on the same way.
   */
  async borrow(bucket: string, kind: string, holder: string): Promise<void> {
    await this.acquire(bucket, kind, holder, Number.MAX_SAFE_INTEGER);
  }

  /**
   * Marks the bucket's `kind` jobs slow: meanwhile acquire says 'slow', and no slot is
   * lent to them, as a slow job could hold a lent slot that another bucket's job then
   * waits for. A slow ask renews the mark it finds, so a bucket whose asks stay slow
   * stays marked. A new mark (the last one lapsed) is short the first time and twice as
   * long each time after, while earlier ones are remembered (see MARK_SLOW): a bucket
   * slow in spells is soon held off for `mostMs` at a time, while one whose asks ran
   * long once (the first second after its workers started, still compiling and
   * prefetching) is lent to again a few seconds later rather than a minute. Resolves
   * with the mark's length.
   */
  async markSlow(bucket: string, kind: string, marks: SlowMarks): Promise<number> {
    const { prefix } = this.options;
    return this.redis.flockSlotMarkSlow(
      tenantSlowKey(prefix, bucket, kind),
      tenantSlowCountKey(prefix, bucket, kind),
      marks.firstMs,
      marks.mostMs,
      marks.memoryMs,
    );
  }

  /**
   * Notes that `holder` waits for one of the bucket's slots (it has just been postponed),
   * so that the next release hands it on at once rather than when its delay runs out.
   * The list lapses with the slots' lease, so a job that never comes back cannot hold it.
   */
  async wait(bucket: string, kind: string, holder: string): Promise<void> {
    const key = tenantWaitingKey(this.options.prefix, bucket, kind);
    await this.redis.multi().zadd(key, 'NX', Date.now(), holder).pexpire(key, this.options.leaseMs).exec();
  }

  /**
   * Frees `holder`'s slot; resolves with the job that waited longest for one, to be
   * woken, if that leaves the bucket under `limit` (its cap).
   */
  async release(bucket: string, kind: string, holder: string, limit: number): Promise<string | undefined> {
    const { prefix } = this.options;
    const keys = [tenantSlotsKey(prefix, bucket, kind), tenantWaitingKey(prefix, bucket, kind)] as const;
    return (await this.redis.flockSlotRelease(...keys, holder, limit)) ?? undefined;
  }
}
