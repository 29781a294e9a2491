import { randomUUID } from 'node:crypto';
import { loadConfig, type FlockConfig } from '@flock/config';

export function testRedisUrl(): string {
  const url = process.env.FLOCK_TEST_REDIS_URL;
  if (!url) throw new Error('FLOCK_TEST_REDIS_URL is not set: run integration tests through jest (global setup starts Redis)');
  return url;
}

export function demoWarehouseDir(): string {
  const dir = process.env.FLOCK_TEST_WAREHOUSE_DIR;
  if (!dir) throw new Error('FLOCK_TEST_WAREHOUSE_DIR is not set: run integration tests through jest');
  return dir;
}

/** A Redis key prefix of the test's own, so tests sharing one Redis never see each other's keys. */
export function uniquePrefix(label = 'test'): string {
  return `flocktest:${label}:${randomUUID().slice(0, 8)}`;
}

/** Environment for a Flock process under test, as strings, like the real environment. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: testRedisUrl(),
    FLOCK_REDIS_PREFIX: uniquePrefix(),
    FLOCK_WAREHOUSE_DIR: demoWarehouseDir(),
    FLOCK_LOG_LEVEL: 'silent',
    FLOCK_STALLED_INTERVAL_SECONDS: '1',
    FLOCK_LOCK_DURATION_SECONDS: '2',
    FLOCK_SHUTDOWN_TIMEOUT_SECONDS: '5',
    ...overrides,
  };
}

/** A validated config, through the same joi schema the apps use. */
export function testConfig(overrides: Record<string, string> = {}): FlockConfig {
  return loadConfig(testEnv(overrides));
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  { timeoutMs = 15_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
