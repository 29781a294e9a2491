import type { SchemaContext, TableInfo } from '@flock/schema';
// The built-in engine's stemmer, so "orders", "ordered" and `ordered_at` meet on the same key here too.
import { FUNCTION_WORDS, GENERIC_NAME_PARTS } from '../text/words';
import { nameParts, stem, tokenize } from '../text/tokenize';
import { renderTable } from './prompt';

export interface SchemaSelection {
  /** The kept tables' lines in schema order, at most the budget long. */
  text: string;
  tables: TableInfo[];
  /** How many tables were left out to fit. */
  omitted: number;
}

/**
 * Question words that say how to ask, not what about; matching them to a column named
 * `count` or `total` would pull in tables at random.
 */
// prettier-ignore
const QUESTION_NOISE = new Set([
  'what', 'which', 'who', 'whom', 'when', 'of', 'in', 'on', 'for', 'by', 'with', 'from', 'and', 'or', 'not', 'no',
  'each', 'every', 'show', 'list', 'give', 'tell', 'find', 'get', 'number', 'count', 'total', 'top',
]);

/**
 * Weights per question word that a table matches, taking the strongest way it matches:
 * the table's own name says most; a column name or one of a column's listed values
 * says the table holds that kind of thing.
 */
const TABLE_NAME_WEIGHT = 4;
const VALUE_WEIGHT = 2;
const COLUMN_NAME_WEIGHT = 2;

/**
 * Fits the schema into `maxChars` of table lines. A schema that fits is sent whole.
 * Otherwise tables are taken in this order while they fit: those whose names, column
 * names or values share words with the question (best first), then their foreign-key
 * neighbours (a join needs both ends), then the rest in schema order, so a question
 * phrased in words the schema does not use still sees as much as the budget allows.
 * A table whose full line does not fit is tried once more without its values.
 * Deterministic: ties keep schema order. With `data: false` (FLOCK_LLM_SEND_VALUES=false)
 * the lines hold names, types and keys only: no listed value, no row count.
 */
export function selectSchema(question: string, schema: SchemaContext, maxChars: number, { data = true } = {}): SchemaSelection {
  const lines = schema.tables.map((table) => renderTable(table, { values: data, rows: data }));
  const whole = lines.join('\n');
  if (whole.length <= maxChars) return { text: whole, tables: schema.tables, omitted: 0 };

  const terms = questionTerms(question);
  const scores = schema.tables.map((table) => score(table, terms));
  const relevant = schema.tables
    .map((_, index) => index)
    .filter((index) => scores[index]! > 0)
    .sort((a, b) => scores[b]! - scores[a]! || a - b);

  const indexByName = new Map(schema.tables.map((table, index) => [table.name, index]));
  const neighbours: number[] = [];
  for (const index of relevant) {
    const table = schema.tables[index]!;
    // Parents first: a question about orders usually needs the customer an order points at.
    for (const fk of table.foreignKeys) {
      const parent = indexByName.get(fk.referencedTable);
      if (parent !== undefined) neighbours.push(parent);
    }
    schema.tables.forEach((other, otherIndex) => {
      if (other.foreignKeys.some((fk) => fk.referencedTable === table.name)) neighbours.push(otherIndex);
    });
  }

  const order = [...relevant, ...neighbours, ...schema.tables.map((_, index) => index)];
  const kept = new Map<number, string>();
  let used = 0;
  for (const index of order) {
    if (kept.has(index)) continue;
    const separator = kept.size > 0 ? 1 : 0;
    const table = schema.tables[index]!;
    for (const line of [lines[index]!, renderTable(table, { values: false, rows: data })]) {
      if (used + separator + line.length <= maxChars) {
        kept.set(index, line);
        used += separator + line.length;
        break;
      }
    }
  }

  const indexes = [...kept.keys()].sort((a, b) => a - b);
  return {
    text: indexes.map((index) => kept.get(index)!).join('\n'),
    tables: indexes.map((index) => schema.tables[index]!),
    omitted: schema.tables.length - indexes.length,
  };
}

/** Stems of the question's content words. */
export function questionTerms(question: string): Set<string> {
  const terms = new Set<string>();
  for (const token of tokenize(question)) {
    if (token.kind !== 'word' || token.lower.length < 2) continue;
    if (FUNCTION_WORDS.has(token.lower) || QUESTION_NOISE.has(token.lower)) continue;
    terms.add(token.stem);
  }
  return terms;
}

function score(table: TableInfo, terms: Set<string>): number {
  if (terms.size === 0) return 0;
  const weights = new Map<string, number>();
  const offer = (words: string[], weight: number) => {
    for (const word of words) {
      if (word.length < 2 || GENERIC_NAME_PARTS.has(word)) continue;
      const key = stem(word);
      if (terms.has(key) && (weights.get(key) ?? 0) < weight) weights.set(key, weight);
    }
  };
  offer(nameParts(table.name), TABLE_NAME_WEIGHT);
  for (const column of table.columns) {
    offer(nameParts(column.name), COLUMN_NAME_WEIGHT);
    for (const value of column.values ?? []) offer(nameParts(value), VALUE_WEIGHT);
  }
  let total = 0;
  for (const weight of weights.values()) total += weight;
  return total;
}
