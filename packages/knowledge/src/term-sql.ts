import { kindOf, quoteIdent, quoteLiteral, type ColumnKind } from '@flock/schema';
import type { GlossaryTerm, TermKind } from './knowledge';

/**
 * The rules a glossary definition's SQL must meet before it is even tried on the
 * warehouse, and the probe that tries it. A definition is spliced into the SQL the
 * built-in engine writes (as a column of the table it defines, see
 * `withGlossaryColumns` in @flock/sql), so it must be exactly one expression: text that
 * closed a parenthesis early or commented out the rest would change the query around it.
 * Everything it becomes still goes through the validator and the sandbox.
 */

const TERM = /^[\p{L}\p{N}][\p{L}\p{N} '’-]*$/u;
const AGGREGATES = new Set(['sum', 'avg', 'min', 'max']);
/** The column kinds the engine totals and averages: the kind a measure's argument becomes in its view. */
const NUMERIC_KINDS: readonly ColumnKind[] = ['integer', 'decimal', 'float'];

/** Why a term cannot be a glossary entry's name, or undefined when it can. */
export function termProblem(term: string): string | undefined {
  if (!TERM.test(term)) return 'a term is a word or phrase: letters, digits, spaces, "-" and "\'" only';
  if (!/\p{L}/u.test(term)) return 'a term needs at least one letter';
  // The engine reads English words; "доход" would become no name at all, and two such terms the same one.
  if (!/[a-z]/.test(columnNameOf(term))) return 'a term needs at least one word in the letters a-z, which the engine reads';
  return undefined;
}

/**
 * The column a term becomes in the built-in engine's view of its table, which is also
 * its identity: lower case, its words run together ("no-show" → `noshow`). Not `no_show`:
 * the engine reads a column by each part of its name, so "Show the events" would find
 * `no_show` by its second word alone, while a term means only its whole phrase (the
 * engine's view turns the phrase in a question into the same one word).
 */
export function columnNameOf(term: string): string {
  return termWords(term).join('');
}

/** A term's words, lower case and without accents: "Big-Spender's" → big, spenders. */
export function termWords(term: string): string[] {
  return term
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** Whether an existing column would be read as the term: `big_spender` or `BigSpender` for "big spender". */
export function columnIsTerm(column: string, term: string): boolean {
  return column.toLowerCase().replace(/_/g, '') === columnNameOf(term);
}

/** Why text cannot be one SQL expression to splice into a query, or undefined when it can. */
export function expressionProblem(sql: string): string | undefined {
  if (sql.trim().length === 0) return 'the definition is empty';
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') {
      // E'…', U&'…', X'…': strings with escapes of their own, where "\\'" would hide a quote from this count.
      if (c === "'" && /[\w&]/.test(sql[i - 1] ?? ''))
        return "the definition may use plain quoted strings only (no E'…' or other prefixed strings)";
      quote = c;
    } else if (c === '$' || c === '\\') return 'the definition must not contain "$" or "\\" outside a string';
    else if (c === ';') return 'the definition must be one expression, without ";"';
    else if ((c === '-' && sql[i + 1] === '-') || (c === '/' && sql[i + 1] === '*')) return 'the definition must not contain comments';
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return 'the definition closes a parenthesis it did not open';
  }
  if (quote) return 'the definition has an unclosed quote';
  if (depth !== 0) return 'the definition leaves a parenthesis open';
  return undefined;
}

/**
 * A measure's aggregate and its argument: `sum(amount * quantity)` → sum, `amount * quantity`.
 * A FILTER clause becomes part of the argument, with the same meaning (the aggregates
 * skip NULLs): `sum(amount) FILTER (WHERE paid)` → sum, `CASE WHEN (paid) THEN (amount) END`.
 */
export function splitMeasure(sql: string): { fn: 'sum' | 'avg' | 'min' | 'max'; argument: string } | undefined {
  const filtered = /^\s*([a-z]+\s*\(.*\))\s*filter\s*\(\s*where\s+(.*)\)\s*$/is.exec(sql);
  if (filtered && !expressionProblem(filtered[2]!)) {
    const inner = splitMeasure(filtered[1]!);
    return inner && { fn: inner.fn, argument: `CASE WHEN (${filtered[2]!.trim()}) THEN (${inner.argument}) END` };
  }
  const match = /^\s*([a-z]+)\s*\((.*)\)\s*$/is.exec(sql);
  if (!match) return undefined;
  const fn = match[1]!.toLowerCase();
  const argument = match[2]!.trim();
  // `sum(a) - sum(b)` also starts with a name and ends with ")": the outer parentheses must be one pair.
  if (!AGGREGATES.has(fn) || expressionProblem(argument) || /^distinct\b/i.test(argument)) return undefined;
  return { fn: fn as 'sum' | 'avg' | 'min' | 'max', argument };
}

/** The row-level expression a term adds to its table: the definition, or a measure's argument. */
export function rowExpressionOf(term: Pick<GlossaryTerm, 'kind' | 'sql'>): string {
  return term.kind === 'measure' ? splitMeasure(term.sql)!.argument : term.sql;
}

/** Why a definition of this kind cannot stand, before it is tried; undefined when it may be tried. */
export function definitionProblem(kind: TermKind, sql: string): string | undefined {
  const problem = expressionProblem(sql);
  if (problem) return problem;
  if (kind === 'measure' && !splitMeasure(sql)) {
    return 'a measure is one aggregate over the table\'s rows: sum(…), avg(…), min(…) or max(…), such as "sum(amount)"';
  }
  return undefined;
}

/**
 * One SELECT that asks DuckDB's own parser for the tree of the definition placed as it
 * will be placed (`SELECT (definition) AS flock_value FROM table`); `parsedShapeProblem`
 * then checks that the tree is exactly that, whatever the lexical rules above missed.
 */
export function parseSql(term: Pick<GlossaryTerm, 'kind' | 'sql' | 'table'>): string {
  return `SELECT json_serialize_sql(${quoteLiteral(`SELECT (${rowExpressionOf(term)}) AS flock_value FROM ${quoteIdent(term.table)}`)}) AS tree`;
}

/** Why DuckDB's tree of `parseSql` is not one expression over the one table, or undefined when it is. */
export function parsedShapeProblem(treeJson: unknown, table: string): string | undefined {
  const wrong = 'the definition must be one expression over the table, and nothing more';
  let tree: { error?: boolean; error_message?: string; statements?: { node?: Record<string, unknown> }[] };
  try {
    tree = JSON.parse(String(treeJson)) as typeof tree;
  } catch {
    return wrong;
  }
  if (tree.error) return `it does not parse: ${tree.error_message ?? 'syntax error'}`;
  const node = tree.statements?.length === 1 ? tree.statements[0]!.node : undefined;
  const from = node?.from_table as
    { type?: string; table_name?: string; schema_name?: string; catalog_name?: string; alias?: string } | undefined;
  const list = node?.select_list as { alias?: string }[] | undefined;
  const empty = (value: unknown) => value === null || value === undefined || (Array.isArray(value) && value.length === 0);
  const shaped =
    node?.type === 'SELECT_NODE' &&
    list?.length === 1 &&
    list[0]!.alias === 'flock_value' &&
    from?.type === 'BASE_TABLE' &&
    from.table_name?.toLowerCase() === table.toLowerCase() &&
    !from.schema_name &&
    !from.catalog_name &&
    !from.alias &&
    empty((node.cte_map as { map?: unknown[] } | undefined)?.map) &&
    ['modifiers', 'where_clause', 'group_expressions', 'group_sets', 'having', 'qualify', 'sample'].every((key) => empty(node[key]));
  if (!shaped) return wrong;
  // `*`, `COLUMNS(…)` and `#1` expand to several columns, or none, where one is meant.
  if (expands(list[0])) return 'the definition must name one value per row: no *, COLUMNS(…), #n, parameters or unnest(…)';
  return undefined;
}

const SET_RETURNING = new Set(['unnest', 'unlist', 'generate_subscripts']);

/** Whether a parsed expression holds a star, a positional reference, a parameter or a set-returning function, outside any subquery. */
function expands(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(expands);
  if (typeof node !== 'object' || node === null) return false;
  const { class: kind } = node as { class?: string };
  // A subquery's own SELECT list is its business: `EXISTS (SELECT * FROM …)` is one value.
  if (kind === 'SUBQUERY') return false;
  if (kind === 'STAR' || kind === 'POSITIONAL_REFERENCE' || kind === 'PARAMETER') return true;
  // Set-returning functions turn one row into several: the table would no longer be itself.
  const { function_name: name } = node as { function_name?: string };
  if (kind === 'FUNCTION' && SET_RETURNING.has(String(name).toLowerCase())) return true;
  return Object.values(node).some(expands);
}

/**
 * One SELECT that tries a definition on its table and returns the row value's type:
 * a missing column or a syntax error fails it, and so does an aggregate where a row value
 * is expected (beside a plain column without GROUP BY). It reads one row at most, and
 * gives the type even when the table is empty (the LEFT JOIN's row of NULLs).
 */
export function probeSql(term: Pick<GlossaryTerm, 'kind' | 'sql' | 'table'>): string {
  const value = rowExpressionOf(term);
  return (
    `SELECT typeof(flock_value) AS flock_type FROM (SELECT flock_probe.flock_one, (${value}) AS flock_value ` +
    `FROM (SELECT 1 AS flock_one) AS flock_probe LEFT JOIN ${quoteIdent(term.table)} ON true) AS flock_row LIMIT 1`
  );
}

/** Why the row value's type does not suit the kind, or undefined when it does. */
export function typeProblem(term: Pick<GlossaryTerm, 'kind' | 'sql'>, type: string): string | undefined {
  if (term.kind === 'filter' && type.toUpperCase() !== 'BOOLEAN') return `a filter must be true or false for each row; this one is ${type}`;
  if (term.kind === 'measure') {
    const fn = splitMeasure(term.sql)!.fn;
    if ((fn === 'sum' || fn === 'avg') && !NUMERIC_KINDS.includes(kindOf(type))) return `${fn}(…) needs a number; its argument is ${type}`;
  }
  return undefined;
}
