import { Router } from 'express';
import { ownerOf } from '../auth/job-owner';
import { bucketParam } from '../http/params';
import { validate } from '../http/validate';
import { presentTable, presentTables } from './schema.presenter';
import type { SchemaService } from './schema.service';

/** A bucket's tables, and one table's columns and keys. Bucket access is checked before these run. */
export function schemaRoutes(service: SchemaService): Router {
  const router = Router();

  router.get('/api/v1/:bucket/tables', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    res.json(presentTables(bucket, await service.tables(bucket, ownerOf(req.principal!))));
  });

  router.get('/api/v1/:bucket/tables/:table', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    res.json(presentTable(bucket, await service.table(bucket, req.params.table, ownerOf(req.principal!))));
  });

  return router;
}
