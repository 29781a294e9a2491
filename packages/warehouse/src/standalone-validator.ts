import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { inMemorySandboxSettings } from './instance-pool';
import { assertCrossTenantSql, assertReadsOnlyTables } from './table-only-guard';

/**
 * Checks SQL before it reaches any tenant's database: a cross-tenant query that is not
 * a single SELECT of tables fails once, as validation_failed, instead of once per
 * bucket, and SQL bound for MotherDuck never leaves the worker unchecked. The parser
 * needs no tables, so an empty in-memory database in the sandbox will do.
 */
export class StandaloneSqlValidator {
  private instance?: Promise<DuckDBInstance>;

  /** A cross-tenant query: a single SELECT of unqualified or `main.` tables. */
  assertCrossTenantSelect(sql: string): Promise<void> {
    return this.check((connection) => assertCrossTenantSql(connection, sql));
  }

  /** SQL for a MotherDuck database: a single SELECT of that database's own tables. */
  assertOwnTablesSelect(sql: string, database: string): Promise<void> {
    return this.check((connection) => assertReadsOnlyTables(connection, sql, database));
  }

  async close(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    if (instance) (await instance).closeSync();
  }

  private async check(assertion: (connection: DuckDBConnection) => Promise<void>): Promise<void> {
    // It only parses SQL, so it may not spill at all (an empty temp_directory).
    this.instance ??= DuckDBInstance.create(':memory:', inMemorySandboxSettings({ threads: 1, memoryLimit: '64MB' }, ''));
    const connection = await (await this.instance).connect();
    try {
      await assertion(connection);
    } finally {
      connection.closeSync();
    }
  }
}
