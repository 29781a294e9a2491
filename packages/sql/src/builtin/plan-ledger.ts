/**
 * The ledger for the join-aware planner (interpret.ts): after it has chosen a plan, every
 * word of the question must be explained by that plan (a table, column or value it
 * uses, a number it compares with, an aggregate, ranking, time or negation it applies)
 * or be a word that carries no meaning. A word left over means part of the question was
 * dropped, and the plan is refused rather than returned as a plausible wrong answer.
 */
import {
  FUNCTION_WORDS as LEXICON_FUNCTION_WORDS,
  MONEY_QUESTION_WORDS,
  MONTHS,
  MUST_EXPLAIN,
  OPERATION_WORDS,
  SOFT_WORDS as LEXICON_SOFT_WORDS,
  type LedgerFeature,
} from './lexicon';
import type { QueryPlan } from './query-plan';
import type { ColumnEntry, TableEntry } from './schema-index';
import { wordSimilarity } from './clause/similarity';
import { stem } from '../text/tokenize';
import { valueKey } from './clause/value-index';
import { EVENT_VERBS, LEDGER_SOFT_WORDS } from './lexicon/clause-words';
import type { Word } from './clause/words';

type Feature = LedgerFeature;

function featuresOf(plan: QueryPlan, tables: Set<TableEntry>): Set<Feature> {
  const features = new Set<Feature>();
  const m = plan.measure;
  if (plan.shape === 'aggregate' && (!m || m.fn === 'count' || m.fn === 'count-distinct')) features.add('count');
  if (m && (m.fn === 'count' || m.fn === 'count-distinct') && plan.shape === 'rank-groups') features.add('count');
  if (m && m.fn !== 'count' && m.fn !== 'count-distinct') {
    features.add('aggregate');
    features.add(m.fn);
  }
  if (m?.fn === 'count-distinct' || plan.shape === 'distinct') features.add('distinct');
  if (plan.shape === 'rank-groups' || plan.shape === 'rank-rows' || m?.fn === 'min' || m?.fn === 'max') features.add('rank');
  for (const p of plan.predicates) {
    if (p.type === 'compare' || p.type === 'range') features.add('compare');
    if (p.type === 'time') features.add('time');
    if ((p.type === 'in' || p.type === 'bool') && p.negated) features.add('negation');
  }
  if (plan.groups.some((g) => g.type === 'grain') || (m && m.fn !== 'count' && m.fn !== 'count-distinct' && m.column.isTemporal))
    features.add('time');
  if (plan.orderBy?.isTemporal) features.add('time');
  if ([...tables].some((t) => t.personScore > 0)) features.add('person');
  if (m && m.fn === 'sum') features.add('money');
  return features;
}

function planColumns(plan: QueryPlan): ColumnEntry[] {
  const columns: ColumnEntry[] = [];
  const m = plan.measure;
  if (m && m.fn === 'count-distinct') columns.push(...m.columns);
  else if (m && m.fn !== 'count') columns.push(m.column);
  for (const g of plan.groups) {
    if (g.type === 'entity') columns.push(...g.table.labels, ...g.table.key);
    else columns.push(g.column);
  }
  for (const p of plan.predicates) columns.push(p.column);
  if (plan.show) columns.push(...plan.show.columns);
  if (plan.orderBy) columns.push(plan.orderBy);
  return columns;
}

/** The question's words this plan does not explain; empty when it accounts for all of them. */
export function unexplainedWords(words: Word[], plan: QueryPlan): string[] {
  const columns = planColumns(plan);
  const tables = new Set<TableEntry>([plan.fact, ...columns.map((c) => c.table)]);
  if (plan.show) tables.add(plan.show.table);
  const names = new Set<string>();
  for (const t of tables) for (const s of t.stems) names.add(s);
  for (const c of columns) for (const p of c.parts) names.add(p);
  const valueWords = new Set<string>();
  const numbers = new Set<number>();
  for (const p of plan.predicates) {
    if (p.type === 'in') for (const v of p.values) for (const w of valueKey(v).split(' ')) valueWords.add(w);
    if (p.type === 'compare') numbers.add(p.value);
    if (p.type === 'range') [p.low, p.high].forEach((n) => numbers.add(n));
    if (p.type === 'time') {
      const t = p.time;
      if (t.t === 'year') numbers.add(t.year);
      if (t.t === 'cmp' || t.t === 'range') yearsOf(t).forEach((n) => numbers.add(n));
    }
  }
  if (plan.limit !== undefined) numbers.add(plan.limit);
  const features = featuresOf(plan, tables);
  const operations = new Set<string>();
  for (const f of features) for (const w of OPERATION_WORDS[f]) operations.add(w);
  if (features.has('money')) for (const w of MONEY_QUESTION_WORDS) operations.add(w);
  if (plan.predicates.some((p) => p.type === 'in' && p.values.length > 1)) operations.add('or');

  const unexplained: string[] = [];
  for (const w of words) {
    if (w.kind === 'number') {
      if (!numbers.has(w.num!) && !(w.num === 1 && plan.limit === undefined)) unexplained.push(w.raw);
      continue;
    }
    if (w.kind === 'date') {
      if (!features.has('time')) unexplained.push(w.raw);
      continue;
    }
    if (w.kind === 'quoted') {
      if (!valueWords.has(valueKey(w.raw).split(' ')[0] ?? '')) unexplained.push(w.raw);
      continue;
    }
    const lower = w.lower;
    if (operations.has(lower) || operations.has(w.stem)) continue;
    if (valueWords.has(w.stem)) continue;
    if ([...names].some((n) => wordSimilarity(w.stem, n) >= 0.6)) continue;
    // "unreturned", "nonpaying": a negated name, explained by a negated condition.
    const negated = /^(un|non|in)(.{4,})$/.exec(lower);
    if (negated && features.has('negation') && [...names, ...valueWords].some((n) => wordSimilarity(stem(negated[2]!), n) >= 0.75))
      continue;
    if (MUST_EXPLAIN.has(lower)) {
      unexplained.push(w.raw);
      continue;
    }
    if (LEDGER_SOFT_WORDS.has(lower) || LEXICON_FUNCTION_WORDS.has(lower) || LEXICON_SOFT_WORDS.has(lower) || EVENT_VERBS.has(lower))
      continue;
    if (MONTHS[lower] !== undefined && features.has('time')) continue;
    unexplained.push(w.raw);
  }
  // The other way round: a number compared with a column the question never names must be
  // the table's own measure ("orders over 250" is the total), and never a count of rows:
  // "at least 2 drivers" counts drivers, it does not compare whichever measure they have.
  const stems = words.filter((w) => w.kind === 'word').map((w) => w.stem);
  for (const p of plan.predicates) {
    if (p.type !== 'compare') continue;
    if (p.column.parts.some((part) => stems.some((s) => wordSimilarity(s, part) >= 0.6))) continue;
    const at = words.findIndex((w) => w.kind === 'number' && w.num === p.value);
    const next = words[at + 1];
    const countsRows = !!next && next.kind === 'word' && [...tables].some((t) => t.stems.some((s) => wordSimilarity(next.stem, s) >= 0.8));
    if (countsRows || p.column !== p.column.table.measures[0]) unexplained.push(words[at]?.raw ?? String(p.value));
  }
  return unexplained;
}

function yearsOf(t: { t: 'cmp'; date: string } | { t: 'range'; from: string; to: string }): number[] {
  const years = (t.t === 'cmp' ? [t.date] : [t.from, t.to]).map((d) => Number(d.slice(0, 4)));
  // A range ends just before its last day: "2020 to 2022" ends on 2023-01-01.
  if (t.t === 'range') years.push(years[1]! - 1);
  return years;
}
