import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { principalKey } from '@flock/auth';
import { RateLimitedError } from '@flock/errors';

/**
 * Limits per caller, counted in Redis so every API replica shares one budget. Runs
 * after authentication: the key is the caller's id, never a credential.
 */
export function rateLimit(redis: Redis, options: { keyPrefix: string; points: number; durationSeconds: number }): RequestHandler {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: options.keyPrefix,
    points: options.points,
    duration: options.durationSeconds,
  });
  return async (req, _res, next) => {
    try {
      await limiter.consume(principalKey(req.principal!));
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw retryLater(rejection);
      throw rejection;
    }
    next();
  };
}

/**
 * Counts failed authentications per client address, so credentials cannot be guessed
 * at request speed. Once an address is over its budget it is refused before any
 * credential is checked (a valid key among the 429s would otherwise still tell the
 * guesser it had won) until its window is out.
 */
export class FailedAuthLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, options: { keyPrefix: string; points: number; durationSeconds: number }) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: options.keyPrefix,
      points: options.points,
      duration: options.durationSeconds,
    });
  }

  /** 429 while `address` is over its budget. */
  async assertAllowed(address: string): Promise<void> {
    const spent = await this.limiter.get(address);
    if (spent && spent.consumedPoints > this.limiter.points) throw retryLater(spent);
  }

  /** Counts one failure; the one that goes over the budget is answered 429 already. */
  async recordFailure(address: string): Promise<void> {
    try {
      await this.limiter.consume(address);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw retryLater(rejection);
      throw rejection;
    }
  }
}

function retryLater(state: RateLimiterRes): RateLimitedError {
  return new RateLimitedError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
}
