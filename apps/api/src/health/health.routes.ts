import { Router } from 'express';
import { ReplyError } from 'ioredis';
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
    if (drain.active) {
      res.status(503).json({ error: { code: 'service_unavailable', message: 'This API process is shutting down' } });
      return;
    }
    try {
      await withTimeout(probeRedis(), 1000);
      res.json({ status: 'ready' });
    } catch (error) {
      // Redis answered, but no: full, loading, read-only.
      const message = error instanceof ReplyError ? 'Redis is refusing writes' : 'Redis is unreachable';
      res.status(503).json({ error: { code: 'service_unavailable', message } });
    }
  });
  return router;
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
