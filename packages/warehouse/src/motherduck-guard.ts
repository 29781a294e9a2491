import type { DuckDBConnection } from '@duckdb/node-api';
import { ValidationFailedError } from '@flock/errors';

/** Table functions that make rows out of their arguments alone, touching no file, network or setting. */
const PURE_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest']);

/** Scalar functions that read the process's settings or environment, where the MotherDuck token lives. */
const PROCESS_FUNCTIONS = new Set(['current_setting', 'getenv', 'getvariable']);

/** Characters a file path or URL has and a table name written by a query engine does not. */
const PATH_LIKE = /[/\\.:]/;

/**
 * The local sandbox reads nothing but the tenant's file, because its instance is opened
 * with external access off and configuration locked. An `md:` instance cannot be: it
 * needs the network and the extension. And MotherDuck runs part of a query on the
 * worker itself, so `read_text('/proc/self/environ')` or `FROM '/srv/other.csv'` would
 * read the worker's files and environment, which hold MOTHERDUCK_TOKEN. SQL bound for
 * MotherDuck may therefore read tables only: no table function but the pure ones, no
 * path or URL in FROM (a replacement scan), no access to settings. It is checked on
 * DuckDB's own parse tree, after `assertSingleSelect` has proved it one SELECT.
 */
export async function assertReadsOnlyTables(connection: DuckDBConnection, sql: string): Promise<void> {
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql(CAST($sql AS VARCHAR)) AS tree', { sql });
  const problem = findOutsideRead(JSON.parse(String(reader.getRowsJS()[0]?.[0])));
  if (problem) throw new ValidationFailedError(`SQL run on MotherDuck may read only the database's tables: ${problem}.`);
}

function findOutsideRead(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const child of node) {
      const problem = findOutsideRead(child);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const record = node as Record<string, unknown>;
  if (record.type === 'TABLE_FUNCTION') {
    const name = functionName((record.function as Record<string, unknown> | undefined)?.function_name);
    if (!PURE_TABLE_FUNCTIONS.has(name)) return `the table function ${name}() is not allowed`;
  }
  if (record.type === 'BASE_TABLE' && typeof record.table_name === 'string' && PATH_LIKE.test(record.table_name)) {
    return `'${record.table_name}' is a file or URL, not a table`;
  }
  if (record.class === 'FUNCTION' && PROCESS_FUNCTIONS.has(functionName(record.function_name))) {
    return `${functionName(record.function_name)}() is not allowed`;
  }
  for (const value of Object.values(record)) {
    const problem = findOutsideRead(value);
    if (problem) return problem;
  }
  return undefined;
}

function functionName(name: unknown): string {
  return typeof name === 'string' ? name.toLowerCase() : '';
}
