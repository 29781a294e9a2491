import { DuckDBInstance } from '@duckdb/node-api';

/** Creates (or extends) a DuckDB file by running `sql` on it, then closes it so others may open it. */
export async function writeDuckDb(file: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(file);
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
