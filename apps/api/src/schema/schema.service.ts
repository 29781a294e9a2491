import { AppError, JobFailure, NotFoundError } from '@flock/errors';
import type { TableInfo } from '@flock/schema';
import type { QueryResult, TenantWarehouse } from '@flock/warehouse';
import { assertBucketExists } from '../http/bucket-exists';

/**
 * Synchronous reads of one bucket's warehouse for the API: its tables, one table's
 * columns and keys, and a caller's own read-only SQL, through the same sandbox as asks.
 */
export class SchemaService {
  constructor(private readonly warehouse: TenantWarehouse) {}

  async tables(bucket: string): Promise<TableInfo[]> {
    await assertBucketExists(this.warehouse.catalog, bucket);
    try {
      return (await this.warehouse.schema(bucket)).tables;
    } catch (error) {
      throw asHttpError(error);
    }
  }

  async table(bucket: string, name: string): Promise<TableInfo> {
    const table = (await this.tables(bucket)).find((t) => t.name === name);
    if (!table) throw new NotFoundError(`Unknown table: ${name}`);
    return table;
  }

  async query(bucket: string, sql: string): Promise<QueryResult & { executionMs: number }> {
    await assertBucketExists(this.warehouse.catalog, bucket);
    const started = Date.now();
    try {
      return { ...(await this.warehouse.query(bucket, sql)), executionMs: Date.now() - started };
    } catch (error) {
      throw asHttpError(error);
    }
  }
}

/**
 * A warehouse's job failures as HTTP errors: the codes keep their names and the status
 * says whose fault it was. A database that cannot be opened is execution_failed (422),
 * as a query it refuses is, rather than a 500 with nothing to act on.
 */
function asHttpError(error: unknown): unknown {
  if (!(error instanceof JobFailure)) return error;
  if (error.code === 'query_timeout') return new AppError(error.code, error.message, 408);
  if (error.code === 'execution_failed') return new AppError(error.code, error.message, 422);
  return new AppError(error.code, error.message, 400);
}
