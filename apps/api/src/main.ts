// First: it starts tracing, which must be running before `http` is loaded.
import { config, tracing } from './env';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger, onShutdownSignal } from '@flock/logger';
import { startOperationsServer } from '@flock/metrics';
import { createApiContext } from './api-context';
import { createApp } from './app';
import { notReady } from './health/health.routes';

/** Before the hard deadline, the time left for closing Redis and the queues once connections are cut. */
const CLOSE_MARGIN_MS = 1_000;

const logger = createLogger('flock-api', config.logLevel);
const context = createApiContext(config, logger, { telemetry: tracing.bullmq });
const server = createApp(context.deps).listen(config.port, config.host, () => {
  logger.info({ port: config.port, host: config.host }, 'api listening');
});
server.on('error', (error) => {
  logger.fatal({ err: error }, 'api could not listen');
  process.exit(1);
});
// Credential-free metrics and probes for scrapers inside the cluster, when asked for.
const operations =
  config.apiMetricsPort === undefined
    ? undefined
    : startOperationsServer(config.apiMetricsPort, config.host, {
        notReady: () => notReady(context.deps.probeRedis, context.deps.drain),
        metrics: async () => context.deps.metrics?.exposition(),
      }).catch((error: unknown) => {
        logger.fatal({ err: error, port: config.apiMetricsPort }, 'api could not serve its metrics port');
        process.exit(1);
      });

// Readiness fails at once; after the optional delay no new connections are taken, idle
// ones close, and requests in flight finish (each told to close its connection) until
// just before the deadline, when the rest are cut. The process exits as soon as the
// last is answered, and at the deadline regardless.
onShutdownSignal(
  logger,
  async () => {
    const started = Date.now();
    context.deps.drain.start();
    // Held polls answer now, with the job as it stands; the client polls another replica.
    context.deps.finishes.release();
    await sleep(Math.min(config.shutdownDelayMs, config.shutdownTimeoutMs - CLOSE_MARGIN_MS));
    const force = setTimeout(
      () => {
        logger.warn({ event: 'drain_deadline' }, 'drain deadline reached; closing remaining connections');
        server.closeAllConnections();
      },
      Math.max(0, config.shutdownTimeoutMs - CLOSE_MARGIN_MS - (Date.now() - started)),
    );
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    clearTimeout(force);
    await (await operations)?.close();
    await context.close();
    await tracing.shutdown();
  },
  { deadlineMs: config.shutdownTimeoutMs },
);
