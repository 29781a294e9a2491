import type { ColumnKind } from './schema-context';

/** How an engine may treat a column of this DuckDB type. */
export function kindOf(type: string): ColumnKind {
  const t = type.toUpperCase();
  if (t === 'BOOLEAN') return 'boolean';
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t)) return 'integer';
  if (t.startsWith('DECIMAL')) return 'decimal';
  if (t === 'FLOAT' || t === 'DOUBLE' || t === 'REAL') return 'float';
  if (t === 'VARCHAR' || t.startsWith('VARCHAR(') || t === 'TEXT' || t.startsWith('ENUM')) return 'text';
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  return 'other';
}
