import { Router } from 'express';
import type { TableInfo } from '@flock/schema';
import { ownerOf } from '../auth/job-owner';
import { bucketParam } from '../http/params';
import { validate } from '../http/validate';
import type { SchemaService } from './schema.service';

function presentTable(table: TableInfo) {
  return {
    name: table.name,
    row_count: table.rowCount,
    columns: table.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })),
    primary_key: table.primaryKey,
    foreign_keys: table.foreignKeys.map((fk) => ({
      columns: fk.columns,
      references: { table: fk.referencedTable, columns: fk.referencedColumns },
    })),
  };
}

/** A bucket's tables, and one table's columns and keys. Bucket access is checked before these run. */
export function schemaRoutes(service: SchemaService): Router {
  const router = Router();

  router.get('/api/v1/:bucket/tables', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const tables = await service.tables(bucket, ownerOf(req.principal!));
    res.json({ data: { tables: tables.map((t) => ({ name: t.name, row_count: t.rowCount })) }, meta: { bucket } });
  });

  router.get('/api/v1/:bucket/tables/:table', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    res.json({ data: presentTable(await service.table(bucket, req.params.table, ownerOf(req.principal!))), meta: { bucket } });
  });

  return router;
}
