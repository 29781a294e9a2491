import { quoteLiteral } from '@flock/schema';

/** SQL text plus the values bound to its `$name` parameters. */
export interface BoundStatement {
  sql: string;
  values: Record<string, string>;
}

/**
 * The `prompt_sql` call for one question. The question is a bound parameter, so no
 * text the asker types can end the string or the statement; DuckDB 1.5 binds
 * parameters in CALL. Table names are not the asker's, but are quoted as literals all
 * the same. With no tables the option is left out, so prompt_sql falls back to its
 * default, the whole current database, rather than to whatever an empty list means.
 */
export function promptSqlStatement(question: string, tables: readonly string[]): BoundStatement {
  const includeTables = tables.length > 0 ? `, include_tables => [${tables.map(quoteLiteral).join(', ')}]` : '';
  return { sql: `CALL prompt_sql($question${includeTables})`, values: { question } };
}
