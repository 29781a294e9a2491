import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { loadConfig, type FlockConfig } from '@flock/config';

/** Credentials of the test environment. They exist only in tests and in test Redis prefixes. */
export const TEST_JWT_SECRET = 'test-secret-for-flock-integration-tests-0123456789';
export const TEST_ADMIN_API_KEY = 'flk_test_admin_key_0123456789abcdef';

/** A user token signed with the test secret; `exp` defaults to an hour from now. */
export async function mintToken(
  claims: { sub?: string; buckets?: unknown; [claim: string]: unknown },
  options: { secret?: string; expiresIn?: string | number } = {},
): Promise<string> {
  const jwt = new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (claims.sub !== undefined) jwt.setSubject(String(claims.sub));
  jwt.setExpirationTime(options.expiresIn ?? '1h');
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

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
    // Off, so the many workers tests start on one machine do not contend for its port; the tests of the port set one.
    FLOCK_WORKER_PORT: '0',
    FLOCK_JWT_SECRET: TEST_JWT_SECRET,
    FLOCK_ADMIN_API_KEY: TEST_ADMIN_API_KEY,
    FLOCK_API_KEYS_FILE: path.join(os.tmpdir(), `flock-test-keys-${randomUUID()}.json`),
    // Generous, so only the rate-limit tests themselves ever trip a limit.
    FLOCK_RATE_LIMIT_ASKS_PER_MINUTE: '10000',
    FLOCK_RATE_LIMIT_REQUESTS_PER_SECOND: '10000',
    FLOCK_RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '10000',
    // Every response of every API the tests start is checked against the OpenAPI document.
    FLOCK_CHECK_RESPONSES: 'true',
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
