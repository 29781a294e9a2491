/**
 * Spelling identifiers and literals into DuckDB SQL. Generated SQL is shown to people
 * (`generated_sql`), so identifiers stay bare when that is safe and are quoted only
 * when they would otherwise not parse or would mean something else.
 */

/**
 * DuckDB keywords that cannot stand as a bare column or table name: the `reserved`,
 * `column_name` and `type_function` categories of `duckdb_keywords()` (DuckDB 1.5).
 * Quoting a word that did not need it is harmless, so the list errs on the wide side.
 */
// prettier-ignore
const KEYWORDS = new Set(
  [
    // reserved
    'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'asymmetric', 'both', 'case', 'cast',
    'check', 'collate', 'column', 'constraint', 'create', 'default', 'deferrable', 'desc', 'describe',
    'distinct', 'do', 'else', 'end', 'except', 'false', 'fetch', 'for', 'foreign', 'from', 'group', 'having',
    'in', 'initially', 'intersect', 'into', 'lambda', 'lateral', 'leading', 'limit', 'not', 'null', 'offset',
    'on', 'only', 'or', 'order', 'pivot', 'pivot_longer', 'pivot_wider', 'placing', 'primary', 'qualify',
    'references', 'returning', 'select', 'show', 'some', 'summarize', 'symmetric', 'table', 'then', 'to',
    'trailing', 'true', 'union', 'unique', 'unpivot', 'using', 'variadic', 'when', 'where', 'window', 'with',
    // type_function
    'anti', 'asof', 'at', 'authorization', 'binary', 'by', 'collation', 'columns', 'concurrently', 'cross',
    'freeze', 'full', 'generated', 'glob', 'ilike', 'inner', 'is', 'isnull', 'join', 'left', 'like', 'map',
    'natural', 'notnull', 'outer', 'overlaps', 'positional', 'right', 'semi', 'similar', 'struct',
    'tablesample', 'try_cast', 'unpack', 'verbose',
    // column_name
    'between', 'bigint', 'bit', 'boolean', 'char', 'character', 'coalesce', 'dec', 'decimal', 'exists',
    'extract', 'float', 'grouping', 'grouping_id', 'inout', 'int', 'integer', 'interval', 'national', 'nchar',
    'none', 'nullif', 'numeric', 'out', 'overlay', 'position', 'precision', 'real', 'row', 'setof', 'smallint',
    'substring', 'time', 'timestamp', 'treat', 'trim', 'values', 'varchar', 'xmlattributes', 'xmlconcat',
    'xmlelement', 'xmlexists', 'xmlforest', 'xmlnamespaces', 'xmlparse', 'xmlpi', 'xmlroot', 'xmlserialize',
    'xmltable',
  ],
);

const BARE_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/**
 * An identifier as SQL text: bare when it is lower-case snake case and not a keyword,
 * double-quoted (with inner quotes doubled) otherwise. DuckDB folds bare identifiers to
 * lower case, so `Amount` must be quoted to keep meaning the column spelled that way.
 */
export function quoteIdent(name: string): string {
  if (BARE_IDENTIFIER.test(name) && !KEYWORDS.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** A string literal: single-quoted, inner single quotes doubled (the only escape SQL has). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
