import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Queue } from 'bullmq';
import { principalKey, type ApiKeyAuthenticator, type JwtVerifier } from '@flock/auth';
import type { JobFinishes } from '@flock/jobs';
import type { Logger } from '@flock/logger';
import { boardLogin } from './admin/board-login';
import type { BoardSessions } from './admin/board-sessions';
import { BULL_BOARD_PATH, bullBoardRouter } from './admin/bull-board';
import { askChartRoutes } from './ask/ask-chart.routes';
import { askRoutes } from './ask/ask.routes';
import type { AskService } from './ask/ask.service';
import { authenticate } from './auth/authenticate.middleware';
import { requireAdmin, requireBucketAccess } from './auth/authorize.middleware';
import type { Drain } from './health/drain';
import { healthRoutes } from './health/health.routes';
import { knowledgeRoutes } from './knowledge/knowledge.routes';
import type { KnowledgeService } from './knowledge/knowledge.service';
import { queryAllRoutes } from './query-all/query-all.routes';
import type { QueryAllService } from './query-all/query-all.service';
import { queryRoutes } from './query/query.routes';
import type { QueryService } from './query/query.service';
import { schemaRoutes } from './schema/schema.routes';
import type { SchemaService } from './schema/schema.service';
import { errorMiddleware, notFoundHandler } from './http/error.middleware';
import { OpenStreams } from './http/job-events';
import { jsonOnly } from './http/json-only.middleware';
import type { ApiMetrics } from './http/metrics';
import type { CallerLimit, FailedAuthLimiter } from './http/rate-limit.middleware';
import { redactUrl } from './http/redact-url';
import { openApiDocument } from './openapi/openapi-document';
import { openApiRoutes } from './openapi/openapi.routes';
import { responseCheck } from './openapi/response-check';

export interface AppDependencies {
  logger: Logger;
  ask: AskService;
  queryAll: QueryAllService;
  schema: SchemaService;
  query: QueryService;
  knowledge: KnowledgeService;
  queues: Queue[];
  /** Resolves while Redis takes writes; /readyz fails otherwise. */
  probeRedis: () => Promise<unknown>;
  /** Started on SIGTERM: /readyz fails and responses close their connections. */
  drain: Drain;
  /** Wakes polls held with `wait_ms` when their job finishes; released on SIGTERM. */
  finishes: JobFinishes;
  jwtVerifier: JwtVerifier;
  apiKeys: ApiKeyAuthenticator;
  /** Per-address limit on failed authentications. */
  failedAuth: FailedAuthLimiter;
  /** Per-caller limit on every authenticated request, counted as it is authenticated. */
  requestLimit: CallerLimit;
  /** Per-caller limit on submitted questions and cross-tenant queries. */
  askRateLimit: RequestHandler;
  /** Prometheus metrics, served at /metrics to admin keys; undefined when FLOCK_METRICS is off. */
  metrics?: ApiMetrics;
  /** Bull Board login sessions, and how long one lasts. */
  boardSessions: BoardSessions;
  boardSessionMs: number;
  /** FLOCK_TRUST_PROXY: X-Forwarded-For and -Proto come from a proxy of ours. */
  trustProxy: boolean;
  /** FLOCK_STREAMS_PER_CALLER: job event streams one caller may hold open on this replica. */
  streamsPerCaller: number;
  bodyLimit: string;
  maxQuestionLength: number;
  /** FLOCK_CHECK_RESPONSES: every response is checked against the OpenAPI document; on in tests. */
  checkResponses?: boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Builds the Express app from ready dependencies; main.ts and tests both call it. */
export function createApp(deps: AppDependencies): Express {
  const app = express();
  /** Requests pino-http has already asked for their custom properties (see customProps below). */
  const propsGiven = new WeakSet<object>();
  app.disable('x-powered-by');
  // Off unless the operator says one proxy of theirs sets the forwarded headers: a client could forge them.
  app.set('trust proxy', deps.trustProxy ? 1 : false);
  app.use(deps.drain.track);
  if (deps.metrics) app.use(deps.metrics.track);

  app.use(
    pinoHttp({
      logger: deps.logger,
      // Reuse a caller's request id when it is sane, so one id follows a request
      // through proxies; echo it back either way.
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // pino-http asks for these twice: as the request starts, for every line of the
      // request's logger, and as it ends (finished, failed or closed by the client), for
      // the access line, where it adds the end's answer unless the logger already holds
      // it. The caller is known only by the end (authentication runs after this logger),
      // so the end answers with the caller alone: both at once would write `requestId`
      // twice on the access line, which log stores such as Elasticsearch refuse.
      customProps: (req) => {
        if (!propsGiven.has(req)) {
          propsGiven.add(req);
          return { requestId: req.id };
        }
        return req.principal ? { caller: principalKey(req.principal) } : {};
      },
      // Credentials never reach a log line: only method, URL (less any credential in
      // its query) and status are kept.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    }),
  );

  const document = openApiDocument({ maxQuestionLength: deps.maxQuestionLength });
  if (deps.checkResponses) app.use(responseCheck(document));

  // Bull Board's UI needs inline scripts, so only its pages go without a CSP.
  const strictHeaders = helmet();
  const boardHeaders = helmet({ contentSecurityPolicy: false });
  app.use((req, res, next) => (req.path.startsWith(BULL_BOARD_PATH) ? boardHeaders : strictHeaders)(req, res, next));

  app.use(healthRoutes(deps.probeRedis, deps.drain));
  // Under the strict CSP: the reference page's scripts are files of this origin.
  app.use(openApiRoutes(document));

  // Bull Board: a login page and a session for browsers, or an admin key in a header.
  const authenticated = authenticate(deps.jwtVerifier, deps.apiKeys, deps.failedAuth, deps.requestLimit);
  const board = boardLogin({
    sessions: deps.boardSessions,
    sessionTtlMs: deps.boardSessionMs,
    apiKeys: deps.apiKeys,
    failedAuth: deps.failedAuth,
    viaCredentials: [authenticated, requireAdmin],
  });
  app.use(board.router);
  app.use(BULL_BOARD_PATH, board.gate, bullBoardRouter(deps.queues));

  // Everything below needs a caller, and is authenticated before any body is parsed.
  app.use(authenticated);
  if (deps.metrics) app.get('/metrics', requireAdmin, deps.metrics.handler);

  app.use(jsonOnly);
  // Before the general body parser: it parses its own, larger bodies (bucket lists).
  const events = { finishes: deps.finishes, draining: () => deps.drain.active, streams: new OpenStreams(deps.streamsPerCaller) };
  app.use(queryAllRoutes(deps.queryAll, { maxQuestionLength: deps.maxQuestionLength, submitRateLimit: deps.askRateLimit, ...events }));
  app.use(express.json({ limit: deps.bodyLimit, strict: false, type: 'application/json' }));
  app.use('/api/v1/:bucket', requireBucketAccess);
  app.use(askRoutes(deps.ask, { maxQuestionLength: deps.maxQuestionLength, askRateLimit: deps.askRateLimit, ...events }));
  app.use(askChartRoutes(deps.ask));
  app.use(schemaRoutes(deps.schema));
  app.use(queryRoutes(deps.query));
  app.use(knowledgeRoutes(deps.knowledge));

  app.use(notFoundHandler);
  app.use(errorMiddleware);
  return app;
}
