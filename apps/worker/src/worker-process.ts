import { createLogger, onShutdownSignal } from '@flock/logger';
import { sizeInBytes } from '@flock/schema';
import { config } from './env';
import { applyMemoryCeiling } from './memory-ceiling';
import { answerOperations } from './operations';
import { createSqlGenerators } from './sql-generator.factory';
import { exitUnderSupervisor, ownExitDeadlineMs, stopWithSupervisor } from './supervisor';
import { startWorkerRuntime } from './worker-runtime';

/** One worker process, as main.ts's supervisor starts it: the consumers, the sandbox and their limits. */
const logger = createLogger('flock-worker', config.logLevel);
stopWithSupervisor();
applyMemoryCeiling(sizeInBytes(config.workerMemoryCeiling), logger);
const runtime = startWorkerRuntime(config, createSqlGenerators(config), logger);
answerOperations(runtime);

const shutdown = onShutdownSignal(logger, () => runtime.close(), {
  exit: exitUnderSupervisor,
  deadlineMs: ownExitDeadlineMs(config.shutdownTimeoutMs),
});
void runtime.recycleNeeded.then(() => shutdown('recycle'));
