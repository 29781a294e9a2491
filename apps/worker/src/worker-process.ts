import { createLogger, onShutdownSignal } from '@flock/logger';
import { sizeInBytes } from '@flock/schema';
import { config, startProcessTracing } from './env';
import { applyMemoryCeiling } from './memory-ceiling';
import { answerOperations } from './operations';
import { createSqlGenerators } from './sql-generator.factory';
import { exitUnderSupervisor, ownExitDeadlineMs, stopWithSupervisor } from './supervisor';
import { startWorkerRuntime } from './worker-runtime';

/** One worker process, as main.ts's supervisor starts it: the consumers, the sandbox and their limits. */
const logger = createLogger('flock-worker', config.logLevel);
stopWithSupervisor();
applyMemoryCeiling(sizeInBytes(config.workerMemoryCeiling), logger);
const tracing = startProcessTracing();
const runtime = startWorkerRuntime(config, createSqlGenerators(config), logger, {}, { telemetry: tracing.bullmq });
answerOperations(runtime);

const shutdown = onShutdownSignal(logger, () => runtime.close().then(() => tracing.shutdown()), {
  exit: exitUnderSupervisor,
  deadlineMs: ownExitDeadlineMs(config.shutdownTimeoutMs),
});
void runtime.recycleNeeded.then(() => shutdown('recycle'));
