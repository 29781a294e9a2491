import type { RequestHandler } from 'express';
import type { FlockRedis } from '@flock/jobs';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { principalKey } from '@flock/auth';
import { RateLimitedError } from '@flock/errors';

export interface LimitOptions {
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  /** Told of each request refused with 429, for metrics. */
  onRejected?: () => void;
}

/**
 * Limits per caller, counted in Redis so every API replica shares one budget. Runs
 * after authentication: the key is the caller's id, never a credential. A limit of 0
 * is off.
 */
export function rateLimit(redis: FlockRedis, options: LimitOptions): RequestHandler {
  if (options.points === 0) return (_req, _res, next) => next();
  const limiter = redisLimiter(redis, options);
  return async (req, _res, next) => {
    try {
      await limiter.consume(principalKey(req.principal!));
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        options.onRejected?.();
        throw retryLater(rejection);
      }
      throw rejection;
    }
    next();
  };
}

/**
 * Counts failed authentications per client address, so credentials cannot be guessed
 * at request speed. Once an address is over its budget it is refused before any
 * credential is checked (a valid key among the 429s would otherwise still tell the
 * guesser it had won) until its window is out. A budget of 0 is off.
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
    try {
      await this.limiter.consume(address);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        this.options.onRejected?.();
        throw retryLater(rejection);
      }
      throw rejection;
    }
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
