import { createLogger, onShutdownSignal } from '@flock/logger';
import { sizeInBytes } from '@flock/schema';
import { config } from './env';
import { applyMemoryCeiling } from './memory-ceiling';
import { createSqlGenerators } from './sql-generator.factory';
import { startWorkerRuntime } from './worker-runtime';

const logger = createLogger('flock-worker', config.logLevel);
applyMemoryCeiling(sizeInBytes(config.workerMemoryCeiling), logger);
const runtime = startWorkerRuntime(config, createSqlGenerators(config), logger);

onShutdownSignal(logger, config.shutdownTimeoutMs, () => runtime.close());
