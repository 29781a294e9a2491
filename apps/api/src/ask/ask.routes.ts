import { Router, type RequestHandler } from 'express';
import { ownerOf } from '../auth/job-owner';
import { bucketParam, jobIdParam } from '../http/params';
import { jobWaitQuery } from '../http/job-wait';
import { validate } from '../http/validate';
import { presentAskJob } from './ask.presenter';
import { askBody } from './ask.schema';
import type { AskService } from './ask.service';

export function askRoutes(service: AskService, options: { maxQuestionLength: number; askRateLimit: RequestHandler }): Router {
  const router = Router();
  const bodySchema = askBody(options.maxQuestionLength);

  router.post('/api/v1/:bucket/ask', options.askRateLimit, async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const { question } = validate(bodySchema, req.body);
    const jobId = await service.submit(bucket, question, ownerOf(req.principal!));
    res.status(202).json({ data: { job_id: jobId, status: 'processing' } });
  });

  router.get('/api/v1/:bucket/ask/jobs/:jobId', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const jobId = jobIdParam(req.params.jobId);
    const { wait_ms: waitMs } = validate(jobWaitQuery, req.query);
    res.json(presentAskJob(await service.get(bucket, jobId, ownerOf(req.principal!), waitMs)));
  });

  return router;
}
