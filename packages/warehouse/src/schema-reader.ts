import type { DuckDBConnection } from '@duckdb/node-api';
import { kindOf, type ColumnInfo, type SchemaContext, type TableInfo } from '@flock/schema';

/** Text columns with at most this many distinct values have them listed for value matching. */
const MAX_LISTED_VALUES = 50;
/** So few distinct values are a category whatever the table size (a 5-row table with 4 categories). */
const ALWAYS_LISTED_VALUES = 8;
/**
 * Other text columns with at most this many distinct values keep them for lookups of a
 * name the question types ("Kyle", "Port Chelsea"): about 100 kB a column at most.
 */
const MAX_LOOKUP_VALUES = 5000;
/** Longer values are prose, not something a question names. */
const MAX_LOOKUP_LENGTH = 80;

/**
 * Reads what a SQL generator may know about a warehouse from the warehouse itself:
 * tables, columns, declared keys and the values of low-cardinality text columns.
 * Reads the current database only (a tenant's file, or its MotherDuck database after
 * `USE`), as an `md:` connection sees every database the token can. Every identifier
 * it interpolates came from DuckDB's own catalog and is quoted.
 */
export async function readSchemaContext(connection: DuckDBConnection): Promise<SchemaContext> {
  const columnRows = await rowsOf(
    connection,
    `SELECT table_name, column_name, data_type, is_nullable
       FROM information_schema.columns
      WHERE table_schema = 'main' AND table_catalog = current_database()
      ORDER BY table_name, ordinal_position`,
  );
  const constraintRows = await rowsOf(
    connection,
    `SELECT table_name, constraint_type, constraint_column_names, referenced_table, referenced_column_names
       FROM duckdb_constraints()
      WHERE schema_name = 'main' AND database_name = current_database()
        AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')`,
  );

  const tables = new Map<string, TableInfo>();
  for (const [table, column, type, nullable] of columnRows as [string, string, string, string][]) {
    let info = tables.get(table);
    if (!info) {
      info = { name: table, rowCount: 0, columns: [], primaryKey: [], foreignKeys: [] };
      tables.set(table, info);
    }
    info.columns.push({ name: column, type, kind: kindOf(type), nullable: nullable === 'YES' });
  }
  for (const [table, kind, columns, referencedTable, referencedColumns] of constraintRows as [
    string,
    string,
    string[],
    string | null,
    string[] | null,
  ][]) {
    const info = tables.get(table);
    if (!info) continue;
    if (kind === 'PRIMARY KEY') info.primaryKey = [...columns];
    else if (referencedTable) {
      info.foreignKeys.push({ columns: [...columns], referencedTable, referencedColumns: [...(referencedColumns ?? [])] });
    }
  }

  for (const info of tables.values()) {
    const [[count]] = (await rowsOf(connection, `SELECT count(*) FROM ${quote(info.name)}`)) as [[bigint]];
    info.rowCount = Number(count);
    for (const column of info.columns) {
      if (column.kind === 'text') await listValues(connection, info, column);
    }
  }
  return { tables: [...tables.values()] };
}

async function listValues(connection: DuckDBConnection, table: TableInfo, column: ColumnInfo): Promise<void> {
  if (table.rowCount === 0) return;
  const rows = await rowsOf(
    connection,
    `SELECT ${quote(column.name)} AS v, count(*) AS n FROM ${quote(table.name)}
      WHERE ${quote(column.name)} IS NOT NULL
      GROUP BY 1 ORDER BY n DESC, v LIMIT ${MAX_LISTED_VALUES + 1}`,
  );
  // A column whose values are mostly unique (names, emails) is an identifier, not a
  // category: listing it would turn ordinary words in questions into bogus filters.
  if (rows.length <= MAX_LISTED_VALUES && (rows.length <= ALWAYS_LISTED_VALUES || rows.length * 2 <= table.rowCount)) {
    column.values = rows.map(([value]) => String(value));
    return;
  }
  // Its values are still what a question names by hand; they are matched only when
  // written as names (capitalised, quoted, several words), never as ordinary words.
  const names = await rowsOf(
    connection,
    `SELECT DISTINCT ${quote(column.name)} AS v FROM ${quote(table.name)}
      WHERE ${quote(column.name)} IS NOT NULL AND length(${quote(column.name)}) <= ${MAX_LOOKUP_LENGTH}
      ORDER BY 1 LIMIT ${MAX_LOOKUP_VALUES + 1}`,
  );
  if (names.length > 0 && names.length <= MAX_LOOKUP_VALUES) column.lookup = names.map(([value]) => String(value));
  else if (names.length > MAX_LOOKUP_VALUES) column.lookupOverflow = true;
}

async function rowsOf(connection: DuckDBConnection, sql: string): Promise<unknown[][]> {
  return (await connection.runAndReadAll(sql)).getRowsJS();
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
