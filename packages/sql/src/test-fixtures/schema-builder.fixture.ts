import { kindOf, type ColumnInfo, type SchemaContext, type TableInfo } from '@flock/schema';

/** Column shorthand for hand-built test schemas: `col('amount', 'DECIMAL(10,2)')`. */
export function col(name: string, type: string, values?: string[], nullable = false): ColumnInfo {
  return { name, type, kind: kindOf(type), nullable, ...(values ? { values } : {}) };
}

export function table(
  name: string,
  rowCount: number,
  columns: ColumnInfo[],
  keys: { primaryKey?: string[]; foreignKeys?: [string, string, string][] } = {},
): TableInfo {
  return {
    name,
    rowCount,
    columns,
    primaryKey: keys.primaryKey ?? [],
    foreignKeys: (keys.foreignKeys ?? []).map(([column, referencedTable, referencedColumn]) => ({
      columns: [column],
      referencedTable,
      referencedColumns: [referencedColumn],
    })),
  };
}

export function schema(...tables: TableInfo[]): SchemaContext {
  return { tables };
}
