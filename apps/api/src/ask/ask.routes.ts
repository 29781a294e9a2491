import { Router } from 'express';
import { NotFoundError } from '@flock/errors';
import { validate } from '../http/validate';
import { presentAskJob } from './ask.presenter';
import { JOB_ID_PATTERN, askBody, bucketParam } from './ask.schema';
import type { AskService } from './ask.service';

export function askRoutes(service: AskService, options: { maxQuestionLength: number }): Router {
  const router = Router();
  const bodySchema = askBody(options.maxQuestionLength);

  router.post('/api/v1/:bucket/ask', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const { question } = validate(bodySchema, req.body);
    const jobId = await service.submit(bucket, question, { type: 'anonymous', id: 'anonymous' });
    res.status(202).json({ data: { job_id: jobId, status: 'processing' } });
  });

  router.get('/api/v1/:bucket/ask/jobs/:jobId', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const { jobId } = req.params;
    if (!JOB_ID_PATTERN.test(jobId)) throw new NotFoundError(`Unknown job: ${jobId}`);
    res.json(presentAskJob(await service.get(bucket, jobId.toLowerCase())));
  });

  return router;
}
