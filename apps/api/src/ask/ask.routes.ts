import { Router, type RequestHandler } from 'express';
import type { JobOwner } from '@flock/jobs';
import type { Principal } from '@flock/auth';
import { NotFoundError } from '@flock/errors';
import { validate } from '../http/validate';
import { presentAskJob } from './ask.presenter';
import { JOB_ID_PATTERN, askBody, bucketParam } from './ask.schema';
import type { AskService } from './ask.service';

function ownerOf(principal: Principal): JobOwner {
  return { type: principal.kind, id: principal.id };
}

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
    const { jobId } = req.params;
    if (!JOB_ID_PATTERN.test(jobId)) throw new NotFoundError(`Unknown job: ${jobId}`);
    res.json(presentAskJob(await service.get(bucket, jobId.toLowerCase(), ownerOf(req.principal!))));
  });

  return router;
}
