import { Router } from 'express';

/**
 * Liveness and readiness for orchestrators. Open to everyone, so they say nothing
 * about tenants: only whether this process runs and whether Redis answers.
 */
export function healthRoutes(pingRedis: () => Promise<unknown>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await withTimeout(pingRedis(), 1000);
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ error: { code: 'service_unavailable', message: 'Redis is unreachable' } });
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
