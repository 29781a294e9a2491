import { createLogger, onShutdownSignal } from '@flock/logger';
import { config } from './env';
import { createSqlGenerators } from './sql-generator.factory';
import { startWorkerRuntime } from './worker-runtime';

const logger = createLogger('flock-worker', config.logLevel);
const runtime = startWorkerRuntime(config, createSqlGenerators(config), logger);

onShutdownSignal(logger, () => runtime.close());
