import { Router, type RequestHandler } from 'express';
import { presentAskJob, presentSubmitted, type JobFinishes } from '@flock/jobs';
import { ownerOf } from '../auth/job-owner';
import { bucketParam, jobIdParam } from '../http/params';
import { streamJobEvents, type OpenStreams } from '../http/job-events';
import { clientGone, jobWaitQuery } from '../http/job-wait';
import { validate } from '../http/validate';
import { askBody } from './ask.schema';
import type { AskService } from './ask.service';

export interface AskRouteOptions {
  maxQuestionLength: number;
  askRateLimit: RequestHandler;
  /** For job event streams: the finish notifications, and whether this process drains. */
  finishes: JobFinishes;
  draining: () => boolean;
  streams: OpenStreams;
}

export function askRoutes(service: AskService, options: AskRouteOptions): Router {
  const router = Router();
  const bodySchema = askBody(options.maxQuestionLength);

  router.post('/api/v1/:bucket/ask', options.askRateLimit, async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const { question, previous_job_id: previousJobId, callback_url: callbackUrl } = validate(bodySchema, req.body);
    const { wait_ms: waitMs } = validate(jobWaitQuery, req.query);
    const options = { previousJobId, callbackUrl, waitMs, gone: clientGone(res) };
    const { jobId, finished } = await service.submit(bucket, question, ownerOf(req.principal!), options);
    if (finished) res.json(presentAskJob(finished));
    else res.status(202).json(presentSubmitted(jobId));
  });

  router.get('/api/v1/:bucket/ask/jobs/:jobId', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const jobId = jobIdParam(req.params.jobId);
    const { wait_ms: waitMs } = validate(jobWaitQuery, req.query);
    res.json(presentAskJob(await service.get(bucket, jobId, ownerOf(req.principal!), waitMs, clientGone(res))));
  });

  // The same job pushed as Server-Sent Events, with the poll's authorisation.
  router.get('/api/v1/:bucket/ask/jobs/:jobId/events', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const jobId = jobIdParam(req.params.jobId);
    const caller = ownerOf(req.principal!);
    await streamJobEvents(req, res, {
      finishes: options.finishes,
      streams: options.streams,
      jobId,
      draining: options.draining,
      // Its finish is announced; the read again is only a fallback for a missed message.
      everyMs: 15_000,
      read: async () => {
        const record = await service.get(bucket, jobId, caller);
        return { status: record.status, body: presentAskJob(record) };
      },
    });
  });

  return router;
}
