import type { RequestHandler } from 'express';
import type { FlockRedis } from '@flock/jobs';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { principalKey, type Principal } from '@flock/auth';
import { RateLimitedError } from '@flock/errors';

export interface LimitOptions {
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  /** Told of each request refused with 429, for metrics. */
  onRejected?: () => void;
}

/** Resolves when the caller may go on; rejects with RateLimitedError when over its limit. */
export type CallerLimit = (principal: Principal) => Promise<void>;

/**
 * Limits per caller, counted in Redis so every API replica shares one budget. The key
 * is the caller's id, never a credential. A limit of 0 is off.
 */
export function callerLimit(redis: FlockRedis, options: LimitOptions): CallerLimit {
  if (options.points === 0) return async () => undefined;
  const limiter = redisLimiter(redis, options);
  return (principal) => consume(limiter, principalKey(principal), options);
}

/** callerLimit as middleware, after authentication: for the limits of particular routes. */
export function rateLimit(redis: FlockRedis, options: LimitOptions): RequestHandler {
  const limit = callerLimit(redis, options);
  return async (req, _res, next) => {
    await limit(req.principal!);
    next();
  };
}

/**
 * Counts failed authentications per client address, so credentials cannot be guessed
 * at request speed. Once an address is over its budget every request from it is
 * refused, whatever credential it presents (a valid key answered otherwise among the
 * 429s would tell the guesser it had won), until its window is out. A budget of 0 is off.
 */
export class FailedAuthLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: FlockRedis,
    private readonly options: LimitOptions,
  ) {
    this.limiter = redisLimiter(redis, options);
  }

  /** 429 while `address` is over its budget. */
  async assertAllowed(address: string): Promise<void> {
    if (this.limiter.points === 0) return;
    const spent = await this.limiter.get(address);
    if (spent && spent.consumedPoints > this.limiter.points) {
      this.options.onRejected?.();
      throw retryLater(spent);
    }
  }

  /** Counts one failure; the one that goes over the budget is answered 429 already. */
  async recordFailure(address: string): Promise<void> {
    if (this.limiter.points === 0) return;
    await consume(this.limiter, address, this.options);
  }
}

/** Spends one of `key`'s points; over the budget, tells `onRejected` and throws a 429 with its wait. */
async function consume(limiter: RateLimiterRedis, key: string, { onRejected }: LimitOptions): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      onRejected?.();
      throw retryLater(rejection);
    }
    throw rejection;
  }
}

function retryLater(state: RateLimiterRes): RateLimitedError {
  return new RateLimitedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
}

/**
 * Counted in Redis, shared by every replica; while Redis is away or refusing writes,
 * counted in this process instead (rate-limiter-flexible's insurance limiter), so a
 * poll of a finished job, a read, is never failed by the limiter's own write.
 */
function redisLimiter(redis: FlockRedis, options: LimitOptions): RateLimiterRedis {
  const settings = { keyPrefix: options.keyPrefix, points: options.points, duration: options.durationSeconds };
  return new RateLimiterRedis({ ...settings, storeClient: redis, insuranceLimiter: new RateLimiterMemory(settings) });
}
