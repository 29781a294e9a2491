/**
 * `pnpm dev`: Flock on demo data in one command. Creates the demo warehouses if they
 * are missing, uses REDIS_URL or starts a private redis-server, then runs the API and
 * one worker as separate processes, exactly as operators run them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createDemoWarehouses } from '@flock/demo';
import { RedisServerMissingError, startLocalRedis, type LocalRedis } from '@flock/local-redis';

const root = path.resolve(__dirname, '..');
const warehouseDir = path.resolve(root, process.env.FLOCK_WAREHOUSE_DIR ?? 'data/warehouses');
const demoBuckets = Number(process.env.FLOCK_DEMO_BUCKETS ?? 177);
const port = process.env.PORT ?? '3000';
const dataDir = path.resolve(root, 'data');

/**
 * A local secret kept in data/ (owner-only), created on first start, so the dev API
 * key and token secret stay the same across restarts. Production sets them itself.
 */
function devSecret(file: string, make: () => string): string {
  const full = path.join(dataDir, file);
  if (existsSync(full)) return readFileSync(full, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const value = make();
  writeFileSync(full, `${value}\n`, { mode: 0o600 });
  return value;
}

async function main(): Promise<void> {
  if (!Number.isInteger(demoBuckets) || demoBuckets < 1) {
    console.error('FLOCK_DEMO_BUCKETS must be a positive whole number');
    process.exit(2);
  }
  const started = Date.now();
  const summary = await createDemoWarehouses({ dir: warehouseDir, count: demoBuckets });
  console.log(
    `demo warehouses: ${summary.created.length} created, ${summary.existing.length} already there, in ${warehouseDir} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );

  let redis: LocalRedis | undefined;
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    try {
      redis = await startLocalRedis();
    } catch (error) {
      console.error(error instanceof RedisServerMissingError ? error.message : String(error));
      process.exit(1);
    }
    redisUrl = redis.url;
    console.log(`redis: started a private redis-server at ${redisUrl} (no persistence)`);
  } else {
    console.log(`redis: using REDIS_URL`);
  }

  const adminKey =
    process.env.FLOCK_ADMIN_API_KEY ?? devSecret('dev-admin-api-key', () => `flk_dev_${randomBytes(24).toString('base64url')}`);
  const jwtSecret = process.env.FLOCK_JWT_SECRET ?? devSecret('dev-jwt-secret', () => randomBytes(32).toString('base64url'));
  const env = {
    ...process.env,
    REDIS_URL: redisUrl,
    FLOCK_WAREHOUSE_DIR: warehouseDir,
    PORT: port,
    FLOCK_ADMIN_API_KEY: adminKey,
    FLOCK_JWT_SECRET: jwtSecret,
  };
  const children: ChildProcess[] = [
    spawn(process.execPath, ['--require', 'tsx/cjs', 'apps/api/src/main.ts'], { cwd: root, env, stdio: 'inherit' }),
    spawn(process.execPath, ['--require', 'tsx/cjs', 'apps/worker/src/main.ts'], { cwd: root, env, stdio: 'inherit' }),
  ];
  console.log(`flock: API on http://127.0.0.1:${port}, one worker.
admin API key: ${process.env.FLOCK_ADMIN_API_KEY ? 'from FLOCK_ADMIN_API_KEY' : 'in data/dev-admin-api-key'}
job queues (Bull Board): http://127.0.0.1:${port}/admin/queues (log in with the admin API key)
Try:
  curl -s -X POST http://127.0.0.1:${port}/api/v1/example/ask -H "X-API-Key: $(cat data/dev-admin-api-key)" -H 'Content-Type: application/json' -d '{"question":"How many members by type?"}'
Ctrl-C stops everything.`);

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    await redis?.stop();
    process.exit(code);
  };
  for (const child of children) child.once('exit', (code) => void stop(code ?? 1));
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
}

void main();
