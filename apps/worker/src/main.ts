import { createLogger } from '@flock/logger';
import { config } from './env';
import { createSqlGenerators } from './sql-generator.factory';
import { startWorkerRuntime } from './worker-runtime';

const logger = createLogger('flock-worker', config.logLevel);
const runtime = startWorkerRuntime(config, createSqlGenerators(config), logger);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    runtime
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  });
}
