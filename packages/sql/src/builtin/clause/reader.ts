/**
 * The clause reader: a question about one table → SQL, or a refusal that names the words
 * it could not place. Phases, in order:
 *   1. reading (words.ts): words and quoted literals;
 *   2. mentions (mentions.ts): for each table, the stretches naming its tables, columns
 *      and values, scored; tables are tried best first;
 *   3. clauses (clauses.ts): rules turn the mentions and the words around them into
 *      conditions, groups, orderings and outputs, each using up the words it read;
 *   4. the ledger (here): every word left over must be one that carries no meaning, or
 *      the question is refused, so a filter or a column is never silently dropped;
 *   5. assembly (here) and rendering (table-query.ts).
 */
import type { FoundValue } from '@flock/schema';
import type { SchemaIndex, TableEntry } from '../schema-index';
import { foundValueIndex } from './value-index';
import { holdsDates, readClauses, Unplaced, type Draft } from './clauses';
import { elementsFor, SpanMeanings, tableOf, type Element } from './mentions';
import { Sentence } from './sentence';
import { explainTableQuery, renderTableQuery, type Output, type TableQuery } from './table-query';
import { EVENT_VERBS, NEGATIONS, LEDGER_SOFT_WORDS } from '../lexicon/clause-words';
import type { Word } from './words';

export type ClauseReading =
  { ok: true; sql: string; explanation: string; ignored: string[]; query: TableQuery } | { ok: false; reason: string; definite: boolean };

/** How many of the best-matching tables are tried before giving up. */
const TABLES_TRIED = 3;
/** ...and only while they explain at least this share of what the best one explains. */
const NEXT_TABLE_SHARE = 0.75;

/** `words` are the question as readWords reads it, shared with the planner's ledger. */
export function readSingleTable(words: Word[], index: SchemaIndex, lookedUp: FoundValue[] = []): ClauseReading {
  const spans = new SpanMeanings(words, index, lookedUp.length > 0 ? foundValueIndex(index, lookedUp) : undefined);
  const ranked = index.tables
    .map((table) => ({ table, ...elementsFor(spans, table) }))
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score || a.table.order - b.table.order);
  let firstFailure: Unplaced | undefined;
  let found: { reading: Extract<ClauseReading, { ok: true }>; score: number } | undefined;
  const best = ranked[0]?.score ?? 0;
  for (const candidate of ranked.slice(0, TABLES_TRIED)) {
    if (found && candidate.score < found.score) break;
    // A table that explains much less of the question is a different question, not a fallback.
    if (candidate.score < best * NEXT_TABLE_SHARE) break;
    try {
      const reading = readWith(candidate.table, candidate.elements, words[0]?.lower);
      if (found) {
        // Two tables read the question equally well: which one is meant is a guess.
        if (found.reading.sql !== reading.sql) {
          return {
            ok: false,
            reason: `it could be about '${found.reading.query.table.name}' or '${candidate.table.name}'`,
            definite: false,
          };
        }
        continue;
      }
      found = { reading, score: candidate.score };
    } catch (error) {
      if (!(error instanceof Unplaced)) throw error;
      firstFailure ??= error;
    }
  }
  if (found) return found.reading;
  if (firstFailure) return { ok: false, reason: firstFailure.message, definite: firstFailure.definite };
  return { ok: false, reason: 'none of its words name a table, column or value here', definite: false };
}

/** Words that change what a condition means; one left over means a condition was misread. */
const MEANINGFUL_FUNCTION_WORDS = new Set([
  ...NEGATIONS.flatMap((n) => n.split(' ')).filter((w) => w !== 'than' && w !== 'from' && w !== 'for'),
  'or',
  'many',
  'much',
]);

function readWith(table: TableEntry, elements: Element[], firstWord: string | undefined): Extract<ClauseReading, { ok: true }> {
  const sentence = new Sentence(elements, table);
  const draft = readClauses(sentence, table);
  const ignored = ledger(sentence, table);
  const query = assemble(draft, firstWord, asksPerRow(sentence));
  return { ok: true, sql: renderTableQuery(query), explanation: explainTableQuery(query, ignored), ignored, query };
}

/** Every word no clause used: silently fine, ignored and said so, or the reason to refuse. */
function ledger(sentence: Sentence, table: TableEntry): string[] {
  const unplaced: string[] = [];
  const ignored: string[] = [];
  let ambiguous = false;
  for (const i of sentence.unused()) {
    const e = sentence.elements[i]!;
    if (e.k === 'mention') {
      const where = tableOf(e.meaning);
      const columns = e.meaning.k === 'value' ? [e.meaning, ...e.others].filter((o) => o.k === 'value' && o.column.table === table) : [];
      if (columns.length > 1) {
        const names = [...new Set(columns.map((o) => (o.k === 'value' ? `${table.name}.${o.column.name}` : '')))];
        unplaced.push(`'${e.text}' (a value of ${names.join(' and ')}: say which)`);
        ambiguous = true;
      } else {
        unplaced.push(where === table ? `'${e.text}'` : `'${e.text}' (in ${where.name})`);
      }
      continue;
    }
    const w = e.word;
    if (w.kind !== 'word') unplaced.push(`'${w.raw}'`);
    else if (MEANINGFUL_FUNCTION_WORDS.has(w.lower)) unplaced.push(`'${w.raw}'`);
    else if (LEDGER_SOFT_WORDS.has(w.lower)) continue;
    else if (EVENT_VERBS.has(w.lower)) ignored.push(w.raw);
    else unplaced.push(`'${w.raw}'`);
  }
  if (unplaced.length > 0) throw new Unplaced(`${unplaced.join(', ')} could not be placed in a query on '${table.name}'`, ambiguous);
  return ignored;
}

function sameOutput(a: Output, b: Output): boolean {
  return a.fn === b.fn && a.column === b.column && !!a.distinct === !!b.distinct;
}

/**
 * "the grades of the high schoolers", "for each student": the question is about each row.
 * Without such words, "Show all majors" asks for the majors there are, each once.
 */
function asksPerRow(sentence: Sentence): boolean {
  const skip = new Set(['all', 'the', 'a', 'an', 'its', 'their', 'different']);
  return sentence.elements.some((e, i) => {
    if (e.k !== 'mention' || e.meaning.k !== 'table' || tableOf(e.meaning) !== sentence.table) return false;
    let j = i - 1;
    while (j >= 0 && sentence.elements[j]!.k === 'word' && skip.has((sentence.elements[j] as { word: { lower: string } }).word.lower)) j--;
    const before = sentence.elements[j];
    return before?.k === 'word' && ['of', 'each', 'every', 'per'].includes(before.word.lower);
  });
}

function assemble(d: Draft, firstWord: string | undefined, perRow: boolean): TableQuery {
  const q = d.query;
  const outputs: Output[] = [];
  for (const { output } of [...d.outputs].sort((a, b) => a.at - b.at))
    if (!outputs.some((o) => sameOutput(o, output))) outputs.push(output);
  const aggregates = outputs.filter((o) => o.fn);
  let columns = outputs.filter((o) => !o.fn && o.column);
  if (outputs.some((o) => !o.fn && !o.column)) {
    // "All the information about instructors": every column, and nothing that would need a group.
    if (aggregates.length > 0 || columns.length > 0 || q.groupBy.length > 0 || d.pendingHaving.length > 0) {
      throw new Unplaced('every column cannot be shown beside chosen columns or totals');
    }
    q.outputs = [{}];
    if (d.pendingOrder) throw new Unplaced('the order asked for has no column to sort');
    return q;
  }

  if (
    q.groupBy.length > 0 &&
    aggregates.length === 0 &&
    d.pendingHaving.length === 0 &&
    q.having.length === 0 &&
    !q.orderBy.some((o) => o.output.fn)
  ) {
    // "List every individual's first name", "the team of each player": groups with nothing
    // counted are the distinct values, shown as such.
    for (const column of q.groupBy) if (!columns.some((c) => c.column === column)) columns.push({ column });
    q.groupBy = [];
    d.distinctAsked = true;
  }
  for (const h of d.pendingHaving) {
    if (q.groupBy.length === 0) for (const c of columns) q.groupBy.push(c.column!);
    if (q.groupBy.length === 0) throw new Unplaced('a condition on how many rows there are needs something to group them by');
    q.having.push({ output: { fn: 'count' }, op: h.op, value: h.value });
  }
  if (q.groupBy.length > 0) {
    // Every column shown beside groups must be one of them: anything else is a misreading (and not SQL).
    const stray = columns.filter((c) => !q.groupBy.includes(c.column!));
    if (stray.length > 0) throw new Unplaced(`${stray.map((c) => `'${c.column!.name}'`).join(', ')} is neither grouped nor aggregated`);
    const keys = q.groupBy.filter((c) => !columns.some((o) => o.column === c)).map((column) => ({ column }));
    columns = [...keys, ...columns];
  } else if (aggregates.length > 0 && columns.length > 0) {
    throw new Unplaced(`${columns.map((c) => `'${c.column!.name}'`).join(', ')} cannot be shown beside a total over all rows`);
  }

  if (aggregates.length === 0 && columns.length === 0) {
    if (firstWord === 'where' || firstWord === 'when' || firstWord === 'why')
      throw new Unplaced(`'${firstWord}' does not say which column to show`);
    if (q.table.labels.length === 0) throw new Unplaced(`'${q.table.name}' has no name column to list; say which columns to show`);
    columns = q.table.labels.map((column) => ({ column }));
  }
  q.outputs =
    q.groupBy.length > 0
      ? [...columns, ...aggregates]
      : [...columns, ...aggregates].sort((a, b) => outputs.indexOf(a) - outputs.indexOf(b));

  if (
    firstWord === 'who' &&
    aggregates.length === 0 &&
    q.groupBy.length === 0 &&
    q.table.labels.length > 0 &&
    !columns.some((c) => q.table.labels.includes(c.column!))
  ) {
    // "Who is the first student to register?" asks for the student, by name.
    columns = [...q.table.labels.map((column) => ({ column })), ...columns];
    q.outputs = [...columns];
  }
  const ranked = q.orderBy[0]?.output.column;
  if (
    ranked &&
    aggregates.length === 0 &&
    columns.length === 1 &&
    columns[0]!.column === ranked &&
    q.orderBy.length === 1 &&
    q.limit === 1 &&
    q.groupBy.length === 0 &&
    holdsDates(ranked)
  ) {
    // "When was the first order placed?": the earliest date itself, as min(), not a row ranked by it.
    const only: Output = { fn: q.orderBy[0]!.dir === 'ASC' ? 'min' : 'max', column: ranked };
    q.orderBy = [];
    delete q.limit;
    q.outputs = [only];
    return q;
  }
  if (d.pendingOrder) {
    const target = d.pendingOrder.alphabetical ? columns.find((c) => c.column!.isText) : (columns[0] ?? aggregates[0]);
    if (!target) throw new Unplaced('the order asked for has no column to sort');
    q.orderBy.push({ output: target, dir: d.pendingOrder.dir });
  }
  if (aggregates.length > 0 && q.groupBy.length === 0 && (q.orderBy.length > 0 || q.limit !== undefined)) {
    throw new Unplaced('an ordering cannot apply to a single total');
  }
  if (q.orderBy.some((o) => o.output.fn) && q.groupBy.length === 0) throw new Unplaced('ranking by a count needs groups to rank');
  // "agent Ship ... UPS": two values that one column cannot both hold mean a misreading, not an empty answer.
  const equals = q.where.filter((g) => g.length === 1 && g[0]!.op === '=').map((g) => g[0]!);
  for (const a of equals) {
    const clash = equals.find((b) => b !== a && b.column === a.column && 'value' in b && 'value' in a && b.value !== a.value);
    if (clash)
      throw new Unplaced(
        `'${a.column.name}' cannot be both ${JSON.stringify((a as { value: unknown }).value)} and ${JSON.stringify((clash as { value: unknown }).value)}`,
      );
  }
  const lone = columns.length === 1 && aggregates.length === 0 ? columns[0]!.column : undefined;
  // One attribute listed on its own ("Show all majors") is the set of its values.
  // A row picked by its key or name is one row: its attribute is that row's, not a set of values.
  const byKey = q.where.some(
    (g) =>
      g.length === 1 &&
      g[0]!.op === '=' &&
      (g[0]!.column.isKey || q.table.labels.includes(g[0]!.column) || !!g[0]!.column.info.lookupOverflow),
  );
  const attributeSet =
    !!lone && !perRow && !byKey && !lone.isKey && !q.table.labels.includes(lone) && q.orderBy.length === 0 && q.limit === undefined;
  q.distinct = (d.distinctAsked || attributeSet) && aggregates.length === 0 && q.groupBy.length === 0;
  if (q.groupBy.length > 0 && aggregates.length > 0 && q.orderBy.length === 0) {
    // Groups come largest first, as a reader scans a breakdown; the keys settle ties.
    q.orderBy = [{ output: aggregates[0]!, dir: 'DESC' }, ...q.groupBy.map((column) => ({ output: { column }, dir: 'ASC' as const }))];
  } else if (q.limit !== undefined && q.orderBy.length > 0) {
    // "The 5 largest": ties at the cut are settled the same way every time.
    const keys = q.groupBy.length > 0 ? q.groupBy : q.table.key;
    for (const column of keys)
      if (!q.orderBy.some((o) => !o.output.fn && o.output.column === column)) q.orderBy.push({ output: { column }, dir: 'ASC' });
  } else if (q.distinct && q.orderBy.length === 0) {
    q.orderBy = columns.map((output) => ({ output, dir: 'ASC' as const }));
  }
  return q;
}
