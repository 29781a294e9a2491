import { NotFoundError } from '@flock/errors';
import type { TableInfo } from '@flock/schema';
import type { TenantWarehouse } from '@flock/warehouse';
import { assertBucketExists } from '../buckets/bucket-exists';

/** Synchronous reads of one bucket's schema for the API: its tables, and one table's columns and keys. */
export class SchemaService {
  constructor(private readonly warehouse: TenantWarehouse) {}

  async tables(bucket: string): Promise<TableInfo[]> {
    await assertBucketExists(this.warehouse.catalog, bucket);
    return (await this.warehouse.schema(bucket)).tables;
  }

  async table(bucket: string, name: string): Promise<TableInfo> {
    const table = (await this.tables(bucket)).find((t) => t.name === name);
    if (!table) throw new NotFoundError(`Unknown table: ${name}`);
    return table;
  }
}
