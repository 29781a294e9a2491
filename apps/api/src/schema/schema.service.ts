import { AppError, JobFailure, NotFoundError } from '@flock/errors';
import type { TableInfo } from '@flock/sql';
import type { QueryResult, Warehouse } from '@flock/warehouse';
import { assertBucketExists } from '../http/bucket-exists';

/**
 * Synchronous reads of one bucket's warehouse for the API: its tables, one table's
 * columns and keys, and a caller's own read-only SQL, through the same sandbox as asks.
 */
export class SchemaService {
  constructor(private readonly warehouse: Warehouse) {}

  async tables(bucket: string): Promise<TableInfo[]> {
    await assertBucketExists(this.warehouse.catalog, bucket);
    return (await this.warehouse.schema(bucket)).tables;
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
      if (!(error instanceof JobFailure)) throw error;
      // The job failure codes keep their names; the status says whose fault it was.
      if (error.code === 'query_timeout') throw new AppError(error.code, error.message, 408);
      if (error.code === 'execution_failed') throw new AppError(error.code, error.message, 422);
      throw new AppError(error.code, error.message, 400);
    }
  }
}
