/**
 * What a SQL generator knows about one bucket's warehouse. It is read from the
 * warehouse itself (see @flock/warehouse `readSchemaContext`), never written by hand,
 * so a generator that only uses this works on any tenant's schema.
 */
export interface SchemaContext {
  tables: TableInfo[];
}

/** The table of that name, as DuckDB resolves unquoted names: case-insensitively. */
export function findTable(schema: SchemaContext, name: string): TableInfo | undefined {
  const wanted = name.toLowerCase();
  return schema.tables.find((table) => table.name.toLowerCase() === wanted);
}

export interface TableInfo {
  name: string;
  rowCount: number;
  columns: ColumnInfo[];
  /** Column names of the declared primary key, in order; empty when none is declared. */
  primaryKey: string[];
  foreignKeys: ForeignKeyInfo[];
}

export interface ColumnInfo {
  name: string;
  /** DuckDB's type name as `information_schema` reports it, e.g. `VARCHAR`, `DECIMAL(10,2)`, `TIMESTAMP`. */
  type: string;
  /** Broad type family, so generators need not parse DuckDB type names. */
  kind: ColumnKind;
  nullable: boolean;
  /**
   * For low-cardinality text columns only: every distinct non-null value, most frequent
   * first. Absent when the column has too many distinct values to list.
   */
  values?: string[];
  /**
   * For other text columns (names, cities, codes): their distinct values up to a cap, so a
   * value the question names can be found; absent when there are more than the cap.
   */
  lookup?: string[];
  /**
   * True for a text column with more distinct values than `lookup` can hold: a name the
   * question types is looked for in it with a bounded query instead (`findValues`).
   */
  lookupOverflow?: boolean;
  /**
   * Added from the tenant's glossary rather than read from the warehouse: an engine reads
   * it only where the question names it, by its whole name, never as a default.
   */
  defined?: boolean;
}

/** A value found in the warehouse for a name the question typed, by a bounded lookup. */
export interface FoundValue {
  table: string;
  column: string;
  /** Spelled as in the data. */
  value: string;
}

export type ColumnKind = 'integer' | 'decimal' | 'float' | 'text' | 'boolean' | 'date' | 'timestamp' | 'other';

export interface ForeignKeyInfo {
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
}
