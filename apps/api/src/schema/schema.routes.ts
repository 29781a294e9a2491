import { Router } from 'express';
import Joi from 'joi';
import type { TableInfo } from '@flock/schema';
import { validate } from '../http/validate';
import { bucketParam } from '../ask/ask.schema';
import type { SchemaService } from './schema.service';

const queryBody = Joi.object({
  sql: Joi.string().trim().min(1).max(100_000).required().messages({
    'any.required': "Missing 'sql' field",
    'string.base': "'sql' must be a string",
    'string.empty': "'sql' must not be empty",
    'string.min': "'sql' must not be empty",
    'string.max': "'sql' must be at most 100000 characters",
  }),
})
  .required()
  .unknown(true)
  .messages({ 'object.base': 'Request body must be a JSON object', 'any.required': 'Request body must be a JSON object' });

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

/** Tables, one table, and read-only SQL for a bucket. Bucket access is checked before these run. */
export function schemaRoutes(service: SchemaService): Router {
  const router = Router();

  router.get('/api/v1/:bucket/tables', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const tables = await service.tables(bucket);
    res.json({ data: { tables: tables.map((t) => ({ name: t.name, row_count: t.rowCount })) }, meta: { bucket } });
  });

  router.get('/api/v1/:bucket/tables/:table', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    res.json({ data: presentTable(await service.table(bucket, req.params.table)), meta: { bucket } });
  });

  router.post('/api/v1/:bucket/query', async (req, res) => {
    const bucket = validate(bucketParam, req.params.bucket);
    const { sql } = validate(queryBody, req.body);
    const result = await service.query(bucket, sql);
    res.json({
      data: { columns: result.columns, rows: result.rows },
      meta: {
        bucket,
        row_count: result.rows.length,
        total_rows: result.totalRows,
        truncated: result.truncated,
        execution_time_ms: result.executionMs,
      },
    });
  });

  return router;
}
