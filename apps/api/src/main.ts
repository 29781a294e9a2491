import { createLogger, onShutdownSignal } from '@flock/logger';
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

// No new connections; in-flight requests drain until the deadline, then the rest are cut.
onShutdownSignal(logger, config.shutdownTimeoutMs, async () => {
  const force = setTimeout(() => {
    logger.warn('drain deadline reached; closing remaining connections');
    server.closeAllConnections();
  }, config.shutdownTimeoutMs);
  force.unref();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await closed;
  await context.close();
});
