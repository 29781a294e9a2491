import { DuckDBInstance } from '@duckdb/node-api';
import { inMemorySandboxSettings } from './instance-pool';
import { assertSingleSelect } from './sql-validator';
import { assertCrossTenantSql } from './table-only-guard';

/**
 * Checks SQL before any tenant's database is opened: a cross-tenant query that is not
 * a single SELECT of tables fails once, as validation_failed, instead of once per
 * bucket. The parser needs no tables, so an empty in-memory database with nothing
 * enabled will do.
 */
export class StandaloneSqlValidator {
  private instance?: Promise<DuckDBInstance>;

  async assertCrossTenantSelect(sql: string): Promise<void> {
    this.instance ??= DuckDBInstance.create(':memory:', inMemorySandboxSettings({ threads: 1, memoryLimit: '64MB' }));
    const connection = await (await this.instance).connect();
    try {
      await assertSingleSelect(connection, sql);
      await assertCrossTenantSql(connection, sql);
    } finally {
      connection.closeSync();
    }
  }

  async close(): Promise<void> {
    if (this.instance) (await this.instance).closeSync();
  }
}
