import { columnIsTerm, columnNameOf, rowExpressionOf, splitMeasure, termWords, type GlossaryTerm } from '@flock/knowledge';
import { findTable, kindOf, quoteIdent, type SchemaContext } from '@flock/schema';
import { tokenKey, tokenize } from '../text/tokenize';

/**
 * A bucket's glossary as the built-in engine reads it: each term becomes a column of
 * the table it defines, so the engine places the word the way it places any column
 * name ("churned customers" → a true/false column of customers, "by segment" → a
 * grouping, "revenue" → a number to total), joins to it like any other, and accounts
 * for the word in its ledger. The SQL it writes then reads that table through a CTE of
 * the same name that adds the column:
 *
 *   WITH customers AS (SELECT *, (status = 'cancelled') AS churned FROM customers) …
 *
 * Inside the CTE, `customers` is still the table (a CTE does not see itself), and every
 * other reference to `customers` in the query reads the CTE, so a term means the same
 * wherever the engine uses it.
 */
export interface GlossaryView {
  /** The schema with each usable term added as a column of its table. */
  schema: SchemaContext;
  /** The question, with each measure's aggregate said where the question did not say it. */
  question: string;
  /** The terms added to the schema, with the column each became. */
  columns: { term: GlossaryTerm; table: string; column: string }[];
}

const AGGREGATE_WORDS: Record<'sum' | 'avg' | 'min' | 'max', string> = { sum: 'total', avg: 'average', min: 'minimum', max: 'maximum' };

/** The question already says how to aggregate: "average revenue", "total of the revenue". */
const SAYS_AGGREGATE = /\b(total|sum|overall|average|mean|avg|median|minimum|min|maximum|max)(\s+(of|the))*\s+$/i;
/** What follows a term used as each row's value, not as the measure: "orders with revenue above 50", "clients spend the most". */
const ROW_LEVEL_AFTER =
  /^(\s+(is|are|was|were|of))?\s*((above|below|over|under|exceeding|between|greater|more|less|fewer|higher|lower|at least|at most|the most|the least|most|least)\b|[<>=])/i;

/** Each schema's glossary view, kept while the schema object and the glossary's revision last. */
const views = new WeakMap<SchemaContext, { glossary: readonly GlossaryTerm[]; view: Omit<GlossaryView, 'question'> }>();

export function viewWithGlossary(question: string, schema: SchemaContext, glossary: readonly GlossaryTerm[]): GlossaryView {
  if (glossary.length === 0) return { schema, question, columns: [] };
  let cached = views.get(schema);
  // The engine's indexes are kept with the schema object, so the same view must be the same object.
  if (cached?.glossary !== glossary) {
    cached = { glossary, view: glossaryColumns(schema, glossary) };
    views.set(schema, cached);
  }
  let text = question;
  for (const { term, column } of cached.view.columns) {
    text = asOneWord(text, term, column);
    if (term.kind === 'measure') text = sayAggregate(text, term, column);
  }
  return { ...cached.view, question: text };
}

function glossaryColumns(schema: SchemaContext, glossary: readonly GlossaryTerm[]): Omit<GlossaryView, 'question'> {
  const tables = schema.tables.map((table) => ({ ...table, columns: [...table.columns] }));
  const columns: GlossaryView['columns'] = [];
  for (const term of glossary) {
    const table = findTable({ tables }, term.table);
    const column = columnNameOf(term.term);
    // A table dropped since the term was saved, or a column of the same name: the warehouse wins.
    if (!table || table.columns.some((c) => columnIsTerm(c.name, term.term))) continue;
    const type = term.kind === 'filter' ? 'BOOLEAN' : term.type;
    table.columns.push({ name: column, type, kind: kindOf(type), nullable: true, defined: true });
    columns.push({ term, table: table.name, column });
  }
  return { schema: { tables }, columns };
}

/**
 * The engine's SQL with a CTE for each table whose glossary columns it uses. A column's
 * name can only come from the schema it was given, so a name that does not occur in the
 * SQL is not used; one that occurs as some other identifier only adds an unused column.
 */
export function withGlossaryColumns(sql: string, view: GlossaryView): { sql: string; terms: string[] } {
  // Names in string literals are values, and a name followed by "(" is a function (`count(*)`).
  const code = sql.replace(/'(?:[^']|'')*'/g, "''");
  const used = view.columns.filter(({ column }) =>
    new RegExp(`(^|[^A-Za-z0-9_])"?${column}"?(?!\\s*\\()($|[^A-Za-z0-9_])`, 'i').test(code),
  );
  if (used.length === 0) return { sql, terms: [] };
  const byTable = new Map<string, typeof used>();
  for (const entry of used) byTable.set(entry.table, [...(byTable.get(entry.table) ?? []), entry]);
  const ctes = [...byTable].map(([table, entries]) => {
    const added = entries.map(({ term, column }) => `(${rowExpressionOf(term)}) AS ${quoteIdent(column)}`).join(', ');
    return `${quoteIdent(table)} AS (SELECT *, ${added} FROM ${quoteIdent(table)})`;
  });
  const own = /^\s*WITH\s+(RECURSIVE\s+)?/i.exec(sql);
  const wrapped = own ? `WITH ${own[1] ?? ''}${ctes.join(', ')}, ${sql.slice(own[0].length)}` : `WITH ${ctes.join(', ')} ${sql}`;
  return { sql: wrapped, terms: used.map(({ term }) => term.term) };
}

/** "How many no-shows?" → "How many noshows?": a phrase term is read as the one word its column is named. */
function asOneWord(question: string, term: GlossaryTerm, column: string): string {
  const words = termWords(term.term);
  if (words.length < 2) return question;
  // "types of government" for "type of government": any of its words may be plural.
  const phrase = words.map((word, i) => (i < words.length - 1 ? `${word}(?:s|es)?` : word)).join("[\\s'’-]+");
  return question.replace(new RegExp(`\\b${phrase}(s|es)?\\b`, 'gi'), (_match, plural: string | undefined) => `${column}${plural ?? ''}`);
}

/** "revenue by region" → "total revenue by region" for revenue = sum(…), unless the question said how to aggregate. */
function sayAggregate(question: string, term: GlossaryTerm, column: string): string {
  const { fn } = splitMeasure(term.sql)!;
  return question.replace(new RegExp(`\\b${column}(s|es)?\\b`, 'gi'), (match: string, _plural, offset: number) => {
    const before = question.slice(0, offset);
    const after = question.slice(offset + match.length);
    return SAYS_AGGREGATE.test(before) || ROW_LEVEL_AFTER.test(after) ? match : `${AGGREGATE_WORDS[fn]} ${match}`;
  });
}

/** The terms the question uses, by word stems in order ("big spenders" uses "big spender"). */
export function mentionedTerms(question: string, glossary: readonly GlossaryTerm[]): GlossaryTerm[] {
  if (glossary.length === 0) return [];
  const words = ` ${stems(question).join(' ')} `;
  return glossary.filter((term) => {
    const phrase = stems(term.term).join(' ');
    return phrase.length > 0 && words.includes(` ${phrase} `);
  });
}

function stems(text: string): string[] {
  return tokenize(text).map(tokenKey);
}
