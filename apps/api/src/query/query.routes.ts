import { Router } from 'express';
import { ownerOf } from '../auth/job-owner';
import { bucketParam } from '../http/params';
import { validate } from '../http/validate';
import { presentQueryResult } from './query.presenter';
import { queryBody } from './query.schema';
import type { QueryService } from './query.service';

/** A caller's own read-only SQL on one bucket. Bucket access is checked before this runs. */
export function queryRoutes(service: QueryService): Router {
  const router = Router();

  router.post('/api/v1/:bucket/query', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const { sql } = validate(queryBody, req.body);
    res.json(presentQueryResult(await service.run(bucket, sql, ownerOf(req.principal!))));
  });

  return router;
}
