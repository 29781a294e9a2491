import type { ColumnInfo, ColumnKind, SchemaContext, TableInfo } from '@flock/schema';

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

/** The same mapping as @flock/warehouse's schema reader, so fixtures look like real contexts. */
function kindOf(type: string): ColumnKind {
  const t = type.toUpperCase();
  if (t === 'BOOLEAN') return 'boolean';
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)$/.test(t)) return 'integer';
  if (t.startsWith('DECIMAL')) return 'decimal';
  if (t === 'FLOAT' || t === 'DOUBLE' || t === 'REAL') return 'float';
  if (t === 'VARCHAR' || t === 'TEXT') return 'text';
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  return 'other';
}
