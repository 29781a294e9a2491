import type { DuckDBConnection } from '@duckdb/node-api';
import { ValidationFailedError } from '@flock/errors';

interface SerializedSql {
  error: boolean;
  error_message?: string;
  statements?: unknown[];
}

/**
 * Proves that `sql` is exactly one SELECT statement, using DuckDB's own parser:
 * `json_serialize_sql` only serializes query statements and fails on anything that
 * writes, attaches, sets or loads, so no regex has to guess at SQL syntax. The check
 * is a second wall, not the only one: the sandbox also opens the database read-only
 * with external access disabled and configuration locked.
 */
export async function assertSingleSelect(connection: DuckDBConnection, sql: string): Promise<void> {
  await parseSingleSelect(connection, sql);
}

/** As assertSingleSelect, returning DuckDB's parse tree of the statement for further checks. */
export async function parseSingleSelect(connection: DuckDBConnection, sql: string): Promise<unknown> {
  if (sql.trim() === '') throw new ValidationFailedError('The generated SQL was empty.');
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql(CAST($sql AS VARCHAR)) AS tree', { sql });
  const tree = JSON.parse(String(reader.getRowsJS()[0]?.[0])) as SerializedSql;
  if (tree.error) {
    throw new ValidationFailedError(`Only a single read-only SELECT statement may run: ${describeParserError(tree.error_message)}`);
  }
  const count = tree.statements?.length ?? 0;
  if (count !== 1) {
    throw new ValidationFailedError(`Only a single SELECT statement may run, but the SQL holds ${count}.`);
  }
  return tree.statements![0];
}

function describeParserError(message: string | undefined): string {
  if (!message) return 'the SQL could not be parsed.';
  if (message.includes('Only SELECT statements')) return 'the SQL is not a SELECT statement.';
  return message.split('\n')[0] ?? message;
}
