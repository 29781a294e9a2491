import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalRedis, type LocalRedis } from '@flock/local-redis';

/** Buckets every integration test may read; small, but with `example` and a bucket without events. */
export const TEST_DEMO_BUCKETS = 24;

declare global {
  var __FLOCK_TEST_REDIS__: LocalRedis | undefined;
}

/**
 * Jest global setup for integration tests: one private redis-server on a free port
 * (unless REDIS_URL points at one) and one folder of demo warehouses, both handed to
 * test files through the environment.
 */
export default async function globalSetup(): Promise<void> {
  if (!process.env.FLOCK_TEST_REDIS_URL) {
    if (process.env.REDIS_URL) {
      process.env.FLOCK_TEST_REDIS_URL = process.env.REDIS_URL;
    } else {
      const redis = await startLocalRedis();
      globalThis.__FLOCK_TEST_REDIS__ = redis;
      process.env.FLOCK_TEST_REDIS_URL = redis.url;
    }
  }
  if (!process.env.FLOCK_TEST_WAREHOUSE_DIR) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'flock-test-warehouses-'));
    // Loaded here so runs that bring their own warehouses never load the generator.
    const { createDemoWarehouses } = await import('@flock/demo');
    await createDemoWarehouses({ dir, count: TEST_DEMO_BUCKETS });
    process.env.FLOCK_TEST_WAREHOUSE_DIR = dir;
  }
}
