import { createLogger } from '@flock/logger';
import { createApiContext } from './api-context';
import { createApp } from './app';
import { config } from './env';

const logger = createLogger('flock-api', config.logLevel);
const context = createApiContext(config, logger);
const server = createApp(context.deps).listen(config.port, config.host, () => {
  logger.info({ port: config.port, host: config.host }, 'api listening');
});
server.on('error', (error) => {
  logger.fatal({ err: error }, 'api could not listen');
  process.exit(1);
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, draining in-flight requests');
    const force = setTimeout(() => {
      logger.warn('drain deadline reached; closing remaining connections');
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    force.unref();
    server.close(() => {
      context
        .close()
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        });
    });
    server.closeIdleConnections();
  });
}
