import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { Queue } from 'bullmq';
import type { Logger } from '@flock/logger';
import { BULL_BOARD_PATH, bullBoardRouter } from './admin/bull-board';
import { askRoutes } from './ask/ask.routes';
import type { AskService } from './ask/ask.service';
import { healthRoutes } from './health/health.routes';
import { errorMiddleware, notFoundHandler } from './http/error.middleware';
import { jsonOnly } from './http/json-only.middleware';

export interface AppDependencies {
  logger: Logger;
  ask: AskService;
  queues: Queue[];
  pingRedis: () => Promise<unknown>;
  bodyLimit: string;
  maxQuestionLength: number;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Builds the Express app from ready dependencies; main.ts and tests both call it. */
export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

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
      customProps: (req) => ({ requestId: req.id }),
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );

  app.use(healthRoutes(deps.pingRedis));
  app.use(BULL_BOARD_PATH, bullBoardRouter(deps.queues));

  app.use(jsonOnly);
  app.use(express.json({ limit: deps.bodyLimit, strict: false, type: 'application/json' }));
  app.use(askRoutes(deps.ask, { maxQuestionLength: deps.maxQuestionLength }));

  app.use(notFoundHandler);
  app.use(errorMiddleware);
  return app;
}
