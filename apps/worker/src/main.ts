import path from 'node:path';
import { createLogger } from '@flock/logger';
import { config, inheritedEnv } from './env';
import { WorkerSupervisor, workerEnv } from './supervisor';

// The supervisor only: it holds no Redis connection and no DuckDB, so nothing can wedge it.
const logger = createLogger('flock-worker', config.logLevel).child({ component: 'supervisor' });
const supervisor = new WorkerSupervisor({
  entry: path.join(__dirname, 'worker-process.ts'),
  logger,
  drainMs: config.shutdownTimeoutMs,
  env: workerEnv(inheritedEnv),
});
supervisor.start();

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => void supervisor.stop(signal).then((code) => process.exit(code)));
}
