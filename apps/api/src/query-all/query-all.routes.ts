import express, { Router, type RequestHandler } from 'express';
import { presentQueryAllJob, presentSubmitted, type JobFinishes } from '@flock/jobs';
import { requireAdmin } from '../auth/authorize.middleware';
import { ownerOf } from '../auth/job-owner';
import { jobIdParam } from '../http/params';
import { streamJobEvents, type OpenStreams } from '../http/job-events';
import { clientGone, jobWaitQuery } from '../http/job-wait';
import { validate } from '../http/validate';
import { queryAllBody } from './query-all.schema';
import type { QueryAllService } from './query-all.service';

/** Room for a `buckets` list naming thousands of tenants, which the general body limit would refuse. */
const QUERY_ALL_BODY_LIMIT = '1mb';

export interface QueryAllRouteOptions {
  maxQuestionLength: number;
  submitRateLimit: RequestHandler;
  /** For job event streams: the finish notifications, and whether this process drains. */
  finishes: JobFinishes;
  draining: () => boolean;
  streams: OpenStreams;
}

export function queryAllRoutes(service: QueryAllService, options: QueryAllRouteOptions): Router {
  const router = Router();
  const bodySchema = queryAllBody(options.maxQuestionLength);
  router.use('/query-all', requireAdmin);

  router.post(
    '/query-all',
    express.json({ limit: QUERY_ALL_BODY_LIMIT, strict: false, type: 'application/json' }),
    options.submitRateLimit,
    async (req, res) => {
      const body = validate(bodySchema, req.body);
      const jobId = await service.submit(body, ownerOf(req.principal!));
      res.status(202).json(presentSubmitted(jobId));
    },
  );

  router.get('/query-all/jobs/:jobId', async (req, res) => {
    const jobId = jobIdParam(req.params.jobId);
    const { wait_ms: waitMs } = validate(jobWaitQuery, req.query);
    const { record, progress } = await service.get(jobId, waitMs, clientGone(res));
    res.json(presentQueryAllJob(record, progress));
  });

  // The same job pushed as Server-Sent Events: its status, its progress as chunks finish, then the answer.
  router.get('/query-all/jobs/:jobId/events', async (req, res) => {
    const jobId = jobIdParam(req.params.jobId);
    await streamJobEvents(req, res, {
      finishes: options.finishes,
      streams: options.streams,
      jobId,
      draining: options.draining,
      // Progress is not announced: read for it twice a second while the fan-out runs.
      everyMs: 500,
      read: async () => {
        const { record, progress } = await service.get(jobId);
        return { status: record.status, body: presentQueryAllJob(record, progress), ...(progress ? { progress } : {}) };
      },
    });
  });

  return router;
}
