import type { Request, RequestHandler } from 'express';
import { Counter, Histogram } from 'prom-client';
import { DURATION_BUCKETS, createRegistry, seconds, trackQueues, type QueueStats } from '@flock/metrics';
import { BULL_BOARD_PATH } from '../admin/bull-board';

/** The rate limits whose refusals are counted. */
export type LimitName = 'requests' | 'asks' | 'failed_auth';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/**
 * The API process's metrics: HTTP requests by route and status, rate-limit refusals,
 * the queues' depth, and the process defaults. Labels are route templates, never
 * paths: a bucket or job id in a label would make a series per tenant and per job.
 */
export class ApiMetrics {
  readonly registry = createRegistry('api');
  private readonly requests = new Histogram({
    name: 'flock_http_request_duration_seconds',
    help: 'HTTP requests by method, route template and status; refused before routing (401, a global 429, 404) is route="unmatched"',
    labelNames: ['method', 'route', 'status'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly rejections = new Counter({
    name: 'flock_rate_limit_rejections_total',
    help: 'Requests refused with 429 by each rate limit',
    labelNames: ['limit'],
    registers: [this.registry],
  });

  constructor(queues: QueueStats[]) {
    trackQueues(this.registry, queues);
    // Zero from the start, so a rate() over them works before the first refusal.
    for (const limit of ['requests', 'asks', 'failed_auth'] satisfies LimitName[]) this.rejections.inc({ limit }, 0);
  }

  /** Middleware, early in the app: times each request until its response is done. */
  readonly track: RequestHandler = (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const method = METHODS.has(req.method) ? req.method : 'other';
      this.requests.observe({ method, route: routeOf(req), status: String(res.statusCode) }, seconds(performance.now() - started));
    });
    next();
  };

  rejected(limit: LimitName): void {
    this.rejections.inc({ limit });
  }

  /** The Prometheus exposition, for a route or the operations port. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  readonly handler: RequestHandler = async (_req, res) => {
    const { contentType, body } = await this.exposition();
    res.setHeader('Cache-Control', 'no-store');
    res.type(contentType).send(body);
  };
}

/** The route template a request matched ("/api/v1/:bucket/ask"), the board as one, or "unmatched". */
function routeOf(req: Request): string {
  if (req.originalUrl.startsWith(BULL_BOARD_PATH)) return BULL_BOARD_PATH;
  const route = (req as Request & { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' ? route.path : 'unmatched';
}
