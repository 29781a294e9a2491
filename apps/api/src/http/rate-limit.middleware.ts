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
      if (rejection instanceof RateLimiterRes) {
        throw new RateLimitedError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      }
      throw rejection;
    }
    next();
  };
}
