import path from 'node:path';
import { createLogger } from '@flock/logger';
import { config, inheritedEnv } from './env';
import { WorkerProcessProbe, serveWorkerOperations } from './operations';
import { WorkerSupervisor, workerEnv } from './supervisor';

// The supervisor only: it holds no Redis connection and no DuckDB, so nothing can wedge it.
const logger = createLogger('flock-worker', config.logLevel).child({ component: 'supervisor' });
const probe = new WorkerProcessProbe();
const supervisor = new WorkerSupervisor({
  entry: path.join(__dirname, 'worker-process.ts'),
  logger,
  drainMs: config.shutdownTimeoutMs,
  env: workerEnv(inheritedEnv),
  onStart: probe.started,
});
supervisor.start();
const operations =
  config.workerPort === 0
    ? undefined
    : serveWorkerOperations(config.workerPort, config.host, probe).then(
        (server) => {
          logger.info({ event: 'operations_listening', port: server.port }, 'worker probes and metrics listening');
          return server;
        },
        (error: unknown) => {
          // The worker works without it; an orchestrator probing it will say so.
          logger.error(
            { event: 'operations_listen_failed', err: error, port: config.workerPort },
            'could not serve worker probes and metrics',
          );
          return undefined;
        },
      );

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    // Readiness fails from here on; liveness holds until the process exits.
    probe.stop();
    void supervisor.stop(signal).then(async (code) => {
      await (await operations)?.close();
      // Its last lines (how the worker process ended) may still wait to share a write.
      setTimeout(() => process.exit(code), 500).unref();
      logger.flush(() => process.exit(code));
    });
  });
}
