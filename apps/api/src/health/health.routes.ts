import { Router } from 'express';
import { ReplyError } from 'ioredis';
import { closedObject, type JsonSchema } from '../openapi/json-schema';
import type { Drain } from './drain';

/**
 * Liveness and readiness for orchestrators. Open to everyone, so they say nothing
 * about tenants: only whether this process runs and whether Redis takes writes.
 * Liveness never looks at Redis: restarting Flock does not bring Redis back. A process
 * that is shutting down is alive but not ready.
 */
export function healthRoutes(probeRedis: () => Promise<unknown>, drain: Drain): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const why = await notReady(probeRedis, drain);
    if (why) res.status(503).json({ error: { code: 'service_unavailable', message: why } });
    else res.json({ status: 'ready' });
  });
  return router;
}

/** Why this API process should take no traffic now, or undefined when it may. */
export async function notReady(probeRedis: () => Promise<unknown>, drain: Drain): Promise<string | undefined> {
  if (drain.active) return 'This API process is shutting down';
  try {
    await withTimeout(probeRedis(), 1000);
    return undefined;
  } catch (error) {
    // Redis answered, but no: full, loading, read-only.
    return error instanceof ReplyError ? 'Redis is refusing writes' : 'Redis is unreachable';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export const healthSchemas: Record<string, JsonSchema> = {
  Live: closedObject({ status: { type: 'string', const: 'ok' } }),
  Ready: closedObject({ status: { type: 'string', const: 'ready' } }),
};
