import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OperationsEndpoints {
  /** /readyz: why this process is not ready, or undefined when it is. */
  notReady(): Promise<string | undefined>;
  /** /metrics: the Prometheus text exposition; undefined when metrics are off (404). */
  metrics(): Promise<{ contentType: string; body: string } | undefined>;
}

export interface OperationsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A small HTTP server for orchestrators and Prometheus, apart from any API: /healthz
 * (alive while the process runs), /readyz and /metrics, nothing else. It carries no
 * tenant data and takes no credential, so it belongs on a port that is not exposed
 * outside the cluster. Errors come in the API's envelope.
 */
export async function startOperationsServer(port: number, host: string, endpoints: OperationsEndpoints): Promise<OperationsServer> {
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(404, { error: { code: 'not_found', message: `No route ${req.method} ${path}` } });
    } else if (path === '/healthz') {
      reply(200, { status: 'ok' });
    } else if (path === '/readyz') {
      endpoints.notReady().then(
        (why) => (why ? reply(503, { error: { code: 'service_unavailable', message: why } }) : reply(200, { status: 'ready' })),
        () => reply(503, { error: { code: 'service_unavailable', message: 'Readiness could not be checked' } }),
      );
    } else if (path === '/metrics') {
      endpoints.metrics().then(
        (exposition) => {
          if (!exposition) return reply(404, { error: { code: 'not_found', message: 'Metrics are off (FLOCK_METRICS)' } });
          res.writeHead(200, { 'Content-Type': exposition.contentType, 'Cache-Control': 'no-store' });
          res.end(exposition.body);
        },
        () => reply(503, { error: { code: 'service_unavailable', message: 'Metrics could not be collected' } }),
      );
    } else {
      reply(404, { error: { code: 'not_found', message: `No route ${path}` } });
    }
  });
  // An idle scraper's keep-alive connection must not hold the process open at exit.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
