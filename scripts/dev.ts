/**
 * `pnpm dev`: Flock on demo data in one command. Creates the demo warehouses if they
 * are missing, uses REDIS_URL or starts a private redis-server, then runs the API and
 * one worker as separate processes, exactly as operators run them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createDemoWarehouses } from '@flock/demo';
import { RedisServerMissingError, startLocalRedis, type LocalRedis } from '@flock/local-redis';

const root = path.resolve(__dirname, '..');
const warehouseDir = path.resolve(root, process.env.FLOCK_WAREHOUSE_DIR ?? 'data/warehouses');
const demoBuckets = Number(process.env.FLOCK_DEMO_BUCKETS ?? 177);
const port = process.env.PORT ?? '3000';

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

  const env = { ...process.env, REDIS_URL: redisUrl, FLOCK_WAREHOUSE_DIR: warehouseDir, PORT: port };
  const children: ChildProcess[] = [
    spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], { cwd: root, env, stdio: 'inherit' }),
    spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], { cwd: root, env, stdio: 'inherit' }),
  ];
  console.log(`flock: API on http://127.0.0.1:${port}, one worker. Try:
  curl -s -X POST http://127.0.0.1:${port}/api/v1/example/ask -H 'Content-Type: application/json' -d '{"question":"How many members by type?"}'
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
