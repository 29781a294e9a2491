import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { demoWarehouseDir } from './fixtures';

/**
 * Reads the answer straight from a demo warehouse with hand-written SQL, so the
 * expected figures in tests come from the data, not from the engine under test.
 */
export async function referenceRows(bucket: string, sql: string): Promise<unknown[][]> {
  const instance = await DuckDBInstance.create(path.join(demoWarehouseDir(), `${bucket}.duckdb`), { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(sql)).getRowsJS();
    return rows.map((row) => row.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Rows as a sorted multiset, numbers rounded to 1e-6 relative, for order-insensitive comparison. */
export function normalise(rows: unknown[][]): string[] {
  return rows.map((row) => JSON.stringify(row.map((v) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v)))).sort();
}
