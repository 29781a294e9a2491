import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__FLOCK_TEST_REDIS__?.stop();
  const dir = process.env.FLOCK_TEST_WAREHOUSE_DIR;
  if (dir && dir.includes('flock-test-warehouses-')) rmSync(dir, { recursive: true, force: true });
}
