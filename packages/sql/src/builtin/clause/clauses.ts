/**
 * Clause rules: each finds one kind of clause in the question's symbol line (see
 * sentence.ts) and writes it into the TableQuery. They run in a fixed order, most
 * specific first, so "ordered by age" is an ordering before "age" can be read as a
 * column to show, and "at least two teachers" is a group condition before "at least 2"
 * can be read as a row filter.
 */
import type { CompareOp } from '../lexicon';
import type { ColumnEntry, TableEntry } from '../schema-index';
import { stem } from '../../text/tokenize';
import type { Element } from './mentions';
import { alt, rule, type Match, type Sentence } from './sentence';
import type { Condition, Output, TableQuery } from './table-query';
import {
  AGGREGATES,
  ASCENDING_WORDS,
  COMPARISONS,
  DESCENDING_WORDS,
  DIMENSION_COMPARATIVES,
  DIMENSION_SUPERLATIVES,
  MEASURE_NOUNS,
  NEGATIONS,
  POST_COMPARISONS,
  REVERSING_WORDS,
  SOFT_LINKS,
  LEDGER_SOFT_WORDS,
  SUPERLATIVES,
  YEAR_COMPARISONS,
  type Dimension,
} from '../lexicon/clause-words';

const C = '(c\\d+)';
const T = '(t\\d+)';
const N = '(n\\d+)';
const V = '(v\\d+)';

const CMP = alt(COMPARISONS.map(([p]) => p));
const POST_CMP = alt(POST_COMPARISONS.map(([p]) => p));
const YEAR_CMP = alt(YEAR_COMPARISONS.map(([p]) => p));
const DIM_SUP = alt(DIMENSION_SUPERLATIVES.map(([p]) => p));
const DIM_CMP = alt(DIMENSION_COMPARATIVES.map(([p]) => p));
const SUP = alt(SUPERLATIVES.map(([p]) => p));
const AGG = alt(AGGREGATES.map(([p]) => p));
const NEG = alt(NEGATIONS);
const DIR_WORD = alt([...ASCENDING_WORDS, ...DESCENDING_WORDS]);
const DIR = `(?:${alt(REVERSING_WORDS)} )?${DIR_WORD}(?: ${DIR_WORD})?`;
const ROWS = '(?:people|persons|rows|records|times|entries|ones|items)';
const BE = '(?:is |are |was |were |be )?';
const TEXT_WORDS = '(?:word|words|substring|string|phrase|text|letters?|characters?|term)';
/** What a group condition counts: this table, another table's rows, a plural noun, a key column or a value. */
const COUNTED = `(?:${T}|x\\d+|${ROWS}|[a-z]+s|(c\\d+)|(v\\d+))`;
const LEADING_N = `(?:${N} (?:${T} )?)?`;
/** Words that may link a column to its superlative: "spoken by the largest number of". */
const LINKING = `(?:(?:${alt([...SOFT_LINKS])}) )*`;
/** An ordering's range of superlatives: "from highest to lowest". */
const FROM_TO = ` from (${SUP}|${DIM_SUP}) to (?:${SUP}|${DIM_SUP})`;
const MEASURE = alt(MEASURE_NOUNS.map(([p]) => p));
/** Every aggregate word in a phrase. */
const AGG_WORDS = new RegExp(AGG, 'g');

const opOf = (list: [string, CompareOp][], phrase: string): CompareOp => list.find(([p]) => p === phrase)?.[1] ?? '=';
const lookup = <V>(list: [string, V][], phrase: string): V | undefined => list.find(([p]) => p === phrase)?.[1];

/** A clause the reader could not place in this table, said back to the asker. */
export class Unplaced extends Error {
  /** True when no other engine should guess either: the question itself is ambiguous here. */
  constructor(
    message: string,
    readonly definite = false,
  ) {
    super(message);
  }
}

/** What the rules leave for assembly: outputs by question position, and requests still to be resolved. */
export interface Draft {
  query: TableQuery;
  outputs: { at: number; output: Output }[];
  /** An order asked for without naming its column ("in alphabetical order"). */
  pendingOrder?: { dir: 'ASC' | 'DESC'; alphabetical: boolean };
  /** A count condition on groups not yet named ("hometowns shared by at least two teachers"). */
  pendingHaving: { op: CompareOp; value: number }[];
  distinctAsked: boolean;
}

function col(e: Element | undefined): ColumnEntry | undefined {
  return e?.k === 'mention' && e.meaning.k === 'column' ? e.meaning.column : undefined;
}

function num(e: Element | undefined): number | undefined {
  return e?.k === 'word' && e.word.kind === 'number' ? e.word.num : undefined;
}

function isYear(e: Element | undefined): boolean {
  const n = num(e);
  return e?.k === 'word' && !!e.word.yearLike && n !== undefined && n >= 1000 && n <= 2999;
}

function direction(words: string): 'ASC' | 'DESC' {
  const reversed = REVERSING_WORDS.some((w) => words.includes(w));
  const descending = DESCENDING_WORDS.some((w) => words.includes(w));
  return descending !== reversed ? 'DESC' : 'ASC';
}

/** The column a dimension adjective measures in `table`, and whether it runs the other way. */
export function dimensionColumn(table: TableEntry, dim: Dimension): { column: ColumnEntry; sign: 1 | -1 } | undefined {
  const has = (c: ColumnEntry, words: string[]) => words.some((w) => c.meaningful.includes(stem(w)));
  const direct = table.columns.filter((c) => (c.isNumeric || holdsNumbers(c)) && !c.isKey && has(c, dim.columnWords));
  if (direct.length === 1) return { column: direct[0]!, sign: dim.sign };
  if (direct.length > 1) return undefined;
  const reversed = table.columns.filter((c) => (c.isTemporal || c.isText) && has(c, dim.reversedDateWords ?? []));
  if (reversed.length === 1) return { column: reversed[0]!, sign: dim.sign === 1 ? -1 : 1 };
  return undefined;
}

/** The one column of `table` a bare year can be about: a date, or a column named for a year. */
function yearColumn(table: TableEntry): ColumnEntry | undefined {
  const candidates = table.columns.filter((c) => c.isTemporal || (!c.isKey && c.meaningful.includes('year') && (c.isNumeric || c.isText)));
  return candidates.length === 1 ? candidates[0] : undefined;
}

export function readClauses(s: Sentence, table: TableEntry): Draft {
  const query: TableQuery = { table, outputs: [], distinct: false, where: [], groupBy: [], having: [], orderBy: [] };
  const d: Draft = { query, outputs: [], pendingHaving: [], distinctAsked: false };
  // Where each condition was read, so an "or" between two of them can join them.
  const spans = new Map<Condition[], { from: number; to: number }>();
  const where = (...conditions: Condition[]) => {
    query.where.push(conditions);
    spans.set(conditions, { from: Math.min(...s.current), to: Math.max(...s.current) });
  };
  const groupBy = (c: ColumnEntry) => {
    if (!query.groupBy.includes(c)) query.groupBy.push(c);
  };
  const out = (m: Match, output: Output) => d.outputs.push({ at: m.index, output });
  const label = (): ColumnEntry | undefined => (table.labels.length === 1 ? table.labels[0] : undefined);

  // --- Text containment: "with the word 'Hey' in its name", "whose name contains 'x'".
  s.apply(rule` (?:contains?|containing|includes?|including|with|has|having|have) ${TEXT_WORDS}? ?(q\\d+|p\\d+|[a-z]+) in ${C} `, (m) => {
    const column = col(m.element(2));
    const text = literalText(m.element(1));
    if (!column?.isText || !text) return m.decline();
    where({ column, op: 'like', text });
  });
  s.apply(
    rule` ${C} ${BE}(?:(not|does not|do not) )?(?:contains?|containing|includes?|including|has|having|with) ${TEXT_WORDS}? ?(q\\d+|p\\d+) `,
    (m) => {
      const column = col(m.element(1));
      const text = literalText(m.element(3));
      if (!column?.isText || !text) return m.decline();
      where({ column, op: m.group(2) ? 'not like' : 'like', text });
    },
  );

  // "whose name starts with 'A'", "titles ending in 'ing'", "names beginning with the letter J".
  s.apply(
    rule` ${C} ${BE}(?:(not|does not|do not) )?(?:that |which )?(starts?|begins?|starting|beginning|ends?|ending) (?:with|in) (?:${TEXT_WORDS} |the ${TEXT_WORDS} )?(q\\d+|p\\d+|[a-z]) `,
    (m) => {
      const column = col(m.element(1));
      const text = literalText(m.element(4)) ?? (m.group(4)!.length === 1 ? m.group(4) : undefined);
      if (!column?.isText || !text) return m.decline();
      where({ column, op: m.group(2) ? 'not like' : 'like', text, at: /^(start|begin)/.test(m.group(3)!) ? 'start' : 'end' });
    },
  );

  // --- Ordering.
  const orderBy = (output: Output, dir: 'ASC' | 'DESC') => query.orderBy.push({ output, dir });
  // "in descending order by market share" before "order by" can take the last three words alone.
  s.apply(rule` (?:in|by) (${DIR}) order (?:of|by) (?:t\\d+ )?${C}((?: and c\\d+)*) `, (m) => {
    const column = col(m.element(2));
    const more = m.elementsIn(3).map(col);
    if (!column || more.some((c) => !c)) return m.decline();
    for (const c of [column, ...more]) orderBy({ column: c! }, direction(m.group(1)!));
  });
  s.apply(
    rule` (?:ordered|sorted|ranked|arranged|listed|order|sort|rank) (?:by|on|according to|in terms of) (?:(${DIR}) )?(?:t\\d+ )?${C}((?: and c\\d+)*)(?: (?:in )?(${DIR})(?: order)?)?(?:${FROM_TO})? `,
    (m) => {
      const column = col(m.element(2));
      const more = m.elementsIn(3).map(col);
      if (!column || more.some((c) => !c)) return m.decline();
      const words = `${m.group(1) ?? ''} ${m.group(4) ?? ''}`;
      const dir = m.group(5) ? extremeDirection(m.group(5)!, column) : direction(words);
      for (const c of [column, ...more]) orderBy({ column: c! }, dir);
    },
  );
  s.apply(rule` (?:ordered|sorted|arranged|listed|order|sort) (?:in )?(${DIR})(?: order)?(?: by (?:${C}|value|values))? `, (m) => {
    const column = col(m.element(2));
    const dir = direction(m.group(1)!);
    if (column) orderBy({ column }, dir);
    else d.pendingOrder = { dir, alphabetical: /alphabet|lexicograph/.test(m.group(1)!) };
  });
  s.apply(rule` (?:in|by) (${DIR}) order `, (m) => {
    d.pendingOrder = { dir: direction(m.group(1)!), alphabetical: /alphabet|lexicograph/.test(m.group(1)!) };
  });
  s.apply(rule` (alphabetically) `, () => {
    d.pendingOrder = { dir: 'ASC', alphabetical: true };
  });

  // "Sort the names of ...": the imperative of an ordering the question spells out.
  if (query.orderBy.length > 0 || d.pendingOrder) s.apply(rule` (sort|order|rank|arrange|sorted|ordered) `, () => {});

  // --- Group conditions: counts of rows per group ("shared by at least two teachers").
  const having = (op: CompareOp, value: number) => d.pendingHaving.push({ op, value });
  // The counted thing may be this table, another table's rows, or a plural noun the schema does not name.
  // A key column named as its rows counts too: "at least 3 documents" over `document_id`.
  // So does a value ("at least 10 professors"): rows holding it are counted, and only those.
  /** The counted thing, when a key column names it, must be that column's rows ("documents"). */
  const countsRows = (m: Match, group: number) => !m.group(group) || isEntityMention(m.element(group));
  /** A counted value becomes the condition on which rows are counted. */
  const countedValue = (m: Match, group: number): boolean => {
    if (!m.group(group)) return true;
    const value = valueIn(m.element(group), undefined);
    if (!value) return false;
    where({ column: value.column, op: '=', value: value.value });
    return true;
  };
  s.apply(
    rule` (?:shared by |that have |that has |having |with |has |have |which have |for which there are |where there are |there are |used by |by )?(${CMP}) ${N} (?:different )?${COUNTED} `,
    (m) => {
      const value = num(m.element(2));
      if (value === undefined || !countsRows(m, 4) || !countedValue(m, 5)) return m.decline();
      having(opOf(COMPARISONS, m.group(1)!), value);
    },
  );
  s.apply(
    rule` (?:shared by |that have |having |with |has |have |for which there are |there are |by )?${N} (${POST_CMP}) ${COUNTED} `,
    (m) => {
      const value = num(m.element(1));
      if (value === undefined || !countsRows(m, 4) || !countedValue(m, 5)) return m.decline();
      having(opOf(POST_COMPARISONS, m.group(2)!), value);
    },
  );
  // "whose average life expectancy is longer than 72": a condition on an aggregate.
  s.apply(
    rule` (?:whose |where |with |having |that have |which have |for which )?(${AGG}) ${C} ${BE}(${CMP}|${DIM_CMP} than) ${N} `,
    (m) => {
      const column = col(m.element(2));
      const value = num(m.element(4));
      const fn = lookup(AGGREGATES, m.group(1)!);
      if (!column?.isNumeric || value === undefined || !fn) return m.decline();
      const phrase = m.group(3)!;
      const op =
        phrase.endsWith(' than') && lookup(DIMENSION_COMPARATIVES, phrase.slice(0, -5))
          ? comparativeOp(phrase.slice(0, -5))
          : opOf(COMPARISONS, phrase);
      query.having.push({ output: { fn, column }, op, value });
    },
  );

  // --- Rows ranked by a named column: "with the largest accelerate", "top 5 by population".
  s.apply(
    rule` ${LEADING_N}(?:with|has|have|having|had|of|whose|where|by|in terms of|that have|that has) (?:${N} )?(${SUP}) (?:${N} )?(?:number of |amount of )?${C} `,
    (m) => {
      const column = col(m.element(6));
      if (!column || column.isText || column.isKey) return m.decline();
      orderBy({ column }, lookup(SUPERLATIVES, m.group(4)!)!);
      query.limit = num(m.element(1)) ?? num(m.element(3)) ?? num(m.element(5)) ?? 1;
    },
  );
  s.apply(
    rule` (?:with |has |have |having |by )?(?:top|first) ${N} (?:${T} )?(?:by |in |with |of |in terms of |ranked by |according to )?(?:(${SUP}) )?${C} `,
    (m) => {
      const column = col(m.element(4));
      if (!column) return m.decline();
      orderBy({ column }, m.group(3) ? lookup(SUPERLATIVES, m.group(3)!)! : 'DESC');
      query.limit = num(m.element(1))!;
    },
  );
  // "the fewest people": a noun standing for a measure.
  s.apply(
    rule` ${LEADING_N}(?:with |has |have |having |that have |that has )?(?:${N} )?(most|fewest|least|largest number of|smallest number of|highest number of|lowest number of) (${MEASURE}) `,
    (m) => {
      const dim = lookup(MEASURE_NOUNS, m.group(5)!);
      const found = dim && dimensionColumn(table, dim);
      if (!found) return m.decline();
      const more = m.group(4)!.startsWith('most') || /largest|highest/.test(m.group(4)!);
      orderBy({ column: found.column }, (more ? 1 : -1) * found.sign > 0 ? 'DESC' : 'ASC');
      query.limit = num(m.element(1)) ?? num(m.element(3)) ?? 1;
    },
  );
  // "which language is spoken by the largest number of countries": the group with the most rows.
  s.apply(
    rule` (?:(?:which|what) (?:is |are |was |were )?)?(?:${N} )?${C} ${LINKING}(most|largest number of|highest number of|greatest number of|fewest|least|smallest number of|lowest number of)(?: ${T}| x\\d+| (c\\d+)|)(?= )`,
    (m) => {
      const column = col(m.element(2));
      if (!countsRows(m, 5)) return m.decline();
      const between = m.m[0].slice(m.m[0].indexOf(m.group(2)!) + m.group(2)!.length, m.m[0].lastIndexOf(m.group(3)!));
      // Another column between them is what is ranked ("which model has the most versions"), not rows.
      if (!column || / c\d+ /.test(between)) return m.decline();
      groupBy(column);
      out(m, { column });
      orderBy({ fn: 'count' }, /most|largest|highest|greatest/.test(m.group(3)!) ? 'DESC' : 'ASC');
      query.limit = num(m.element(1)) ?? 1;
    },
  );
  const mostCommon = (m: Match, column: ColumnEntry | undefined, most: boolean, limit: number | undefined) => {
    if (!column) return m.decline();
    groupBy(column);
    out(m, { column });
    orderBy({ fn: 'count' }, most ? 'DESC' : 'ASC');
    query.limit = limit ?? 1;
  };
  s.apply(rule` (?:${N} )?(most|least) (?:common|popular|frequent|usual) ${C} `, (m) =>
    mostCommon(m, col(m.element(3)), m.group(2) === 'most', num(m.element(1))),
  );
  // "Which allergy type is the most common?", "which code appears the most often?"
  s.apply(
    rule` ${C} (?:is |are |was |were |appears |appear |occurs |occur )?(most|least) (?:common|commonly|popular|frequent|frequently|often|usual)(?: one)? `,
    (m) => mostCommon(m, col(m.element(1)), m.group(2) === 'most', undefined),
  );
  // "the first student to register", "the last transcript date": rows ranked by a date.
  const EARLY = /^(earliest|first|oldest)$/;
  s.apply(
    rule` (?:${N} )?(earliest|first|latest|last|most recent|newest|oldest)(?: ${N})? (?:t\\d+ )?(?:to |who |that |which |of )?${C} `,
    (m) => {
      const column = col(m.element(4));
      if (!column || !holdsDates(column)) return m.decline();
      orderBy({ column }, EARLY.test(m.group(2)!) ? 'ASC' : 'DESC');
      query.limit = num(m.element(1)) ?? num(m.element(3)) ?? 1;
      out(m, { column });
    },
  );
  s.apply(rule` (?:${N} )?(earliest|first|latest|last|most recent|newest)(?: ${N})? ${T} `, (m) => {
    // With one date column the table's own rows are ranked by it; with several, which date is meant is a guess.
    const dates = table.columns.filter(holdsDates);
    if (dates.length !== 1) return m.decline();
    orderBy({ column: dates[0]! }, EARLY.test(m.group(2)!) ? 'ASC' : 'DESC');
    query.limit = num(m.element(1)) ?? num(m.element(3)) ?? 1;
  });
  // "the youngest singer", "the 3 most populated countries": rows ranked by what the adjective measures.
  s.apply(rule` (?:${N} )?(${DIM_SUP})(?: ${N})? (?!(?:t\\d+ )?c\\d+ )`, (m) => {
    const dim = lookup(DIMENSION_SUPERLATIVES, m.group(2)!)!;
    const found = dimensionColumn(table, dim);
    if (!found) return m.decline();
    orderBy({ column: found.column }, found.sign > 0 ? 'DESC' : 'ASC');
    query.limit = num(m.element(1)) ?? num(m.element(3)) ?? 1;
  });

  // "the name of every city" over a `city` column: the column's values are the names.
  s.apply(rule` (names?|c\\d+) of (?=(?:each |every |all |the )?c\\d+ )`, (m) => {
    const said = m.element(1);
    if (said && !(said.k === 'mention' && /^names?$/i.test(said.text))) return m.decline();
    const next = s.elements[s.unused().find((i) => i > s.current[s.current.length - 1]! && s.symbol(i).startsWith('c')) ?? -1];
    const column = col(next);
    if (!column?.isText || column.isKey) return m.decline();
  });

  // --- Counts of distinct values, before "of distinct X" can read as a group.
  s.apply(rule` (?:how many|number of|count of|count the number of|count) (?:different|distinct|unique) ${C} `, (m) => {
    const column = col(m.element(1));
    if (!column) return m.decline();
    out(m, { fn: 'count', column, distinct: true });
  });
  // --- Flags named as adjectives: "VIP customers", "returned loans", "not active".
  s.apply(rule` (?:(${NEG}|un|non) )?${C} `, (m) => {
    const column = col(m.element(2));
    if (!column?.isBoolean) return m.decline();
    where({ column, op: m.group(1) ? 'false' : 'true' });
  });

  // --- Groups.
  s.apply(rule` (?:for|of|in|by|from|to|with)? ?(?:each|every) (?:different |distinct |single )?${C} `, (m) => {
    const column = col(m.element(1));
    if (!column) return m.decline();
    groupBy(column);
  });
  s.apply(
    rule` (?:for|of|by|across|among) (?:all )?(?:different|distinct|various|every) (?:number of |numbers of |values of )?${C} `,
    (m) => {
      const column = col(m.element(1));
      if (!column) return m.decline();
      groupBy(column);
    },
  );
  s.apply(rule` (?:grouped|broken down|split|categorized|categorised|group) by ${C} `, (m) => {
    const column = col(m.element(1));
    if (!column) return m.decline();
    groupBy(column);
  });

  // --- Row conditions on numbers.
  s.apply(
    rule` ${C} ${BE}(?:of |value |values )?(?:(${NEG}) )?(${CMP}|${DIM_CMP} than|${YEAR_CMP}) ${N}(?: and (${CMP}|${DIM_CMP} than) ${N})? `,
    (m) => {
      const column = col(m.element(1));
      const value = num(m.element(4));
      if (!column || value === undefined || (!column.isNumeric && !column.isText && !column.isTemporal)) return m.decline();
      const phrase = m.group(3)!;
      if (column.isTemporal) {
        if (!isYear(m.element(4))) return m.decline();
        where({
          column,
          op: 'year',
          year: value,
          cmp: YEAR_COMPARISONS.some(([p]) => p === phrase) ? opOf(YEAR_COMPARISONS, phrase) : cmpOf(phrase),
        });
        return;
      }
      const op = YEAR_COMPARISONS.some(([p]) => p === phrase) ? opOf(YEAR_COMPARISONS, phrase) : cmpOf(phrase);
      where({ column, op: m.group(2) ? negate(op) : op, value });
      const second = num(m.element(6));
      if (m.group(5) && second !== undefined) where({ column, op: cmpOf(m.group(5)!), value: second });
    },
  );
  s.apply(rule` ${C} ${BE}(?:(${NEG}) )?between ${N} and ${N} `, (m) => {
    const column = col(m.element(1));
    const [low, high] = [num(m.element(3)), num(m.element(4))];
    if (!column || low === undefined || high === undefined || !(column.isNumeric || column.isText)) return m.decline();
    if (m.group(2)) where({ column, op: '<', value: low }, { column, op: '>', value: high });
    else where({ column, op: 'between', low, high });
  });
  s.apply(rule` (${CMP}) ${C} (?:of )?${N} `, (m) => {
    const column = col(m.element(2));
    const value = num(m.element(3));
    if (!column || !(column.isNumeric || holdsNumbers(column)) || value === undefined) return m.decline();
    where({ column, op: opOf(COMPARISONS, m.group(1)!), value });
  });
  s.apply(rule` (greater|more|larger|bigger|higher|less|fewer|smaller|lower) ${C} than ${N} `, (m) => {
    const column = col(m.element(2));
    const value = num(m.element(3));
    if (!column || !(column.isNumeric || holdsNumbers(column)) || value === undefined) return m.decline();
    where({ column, op: /greater|more|larger|bigger|higher/.test(m.group(1)!) ? '>' : '<', value });
  });
  s.apply(rule` (${CMP}) ${N} ${C} `, (m) => {
    const column = col(m.element(3));
    const value = num(m.element(2));
    // "more than 3 documents" over `document_id` counts rows; it is not an id above 3.
    if (!column?.isNumeric || column.isKey || value === undefined) return m.decline();
    where({ column, op: opOf(COMPARISONS, m.group(1)!), value });
  });
  s.apply(rule` ${N} (${POST_CMP}) ${C} `, (m) => {
    const column = col(m.element(3));
    const value = num(m.element(1));
    if (!column?.isNumeric || value === undefined) return m.decline();
    where({ column, op: opOf(POST_COMPARISONS, m.group(2)!), value });
  });
  s.apply(rule` (?:(${NEG}) )?(${DIM_CMP}) than ${N} `, (m) => {
    const dim = lookup(DIMENSION_COMPARATIVES, m.group(2)!)!;
    const found = dimensionColumn(table, dim);
    const value = num(m.element(3));
    if (!found || value === undefined || found.column.isTemporal) return m.decline();
    const op: CompareOp = found.sign > 0 ? '>' : '<';
    where({ column: found.column, op: m.group(1) ? negate(op) : op, value });
  });
  // Years: "in 1980", "after 1950", "between 2014 and 2015".
  s.apply(rule` (${YEAR_CMP}|in|on|during|of|from) (?:year |years )?${N}(?: (or|and|to) ${N})? `, (m) => {
    const column = yearColumn(table);
    if (!column || !isYear(m.element(2)) || (m.group(4) && !isYear(m.element(4)))) return m.decline();
    const prep = m.group(1)!;
    const year = num(m.element(2))!;
    const second = num(m.element(4));
    if (second !== undefined) {
      if (YEAR_COMPARISONS.some(([p]) => p === prep)) return m.decline();
      if (m.group(3) === 'to' || (prep === 'from' && m.group(3) === 'and')) {
        where({ column, op: 'year', year, cmp: '>=' });
        where({ column, op: 'year', year: second, cmp: '<=' });
        return;
      }
      where({ column, op: 'year', year, cmp: '=' }, { column, op: 'year', year: second, cmp: '=' });
      return;
    }
    where({ column, op: 'year', year, cmp: YEAR_COMPARISONS.some(([p]) => p === prep) ? opOf(YEAR_COMPARISONS, prep) : '=' });
  });
  s.apply(rule` between ${N} and ${N} `, (m) => {
    const column = yearColumn(table);
    if (!column || !isYear(m.element(1)) || !isYear(m.element(2))) return m.decline();
    where({ column, op: 'year', year: num(m.element(1))!, cmp: '>=' });
    where({ column, op: 'year', year: num(m.element(2))!, cmp: '<=' });
  });
  // "the document with id 7": a key column named by its entity, then its number.
  s.apply(rule` ${C} (?:with |whose |having |that has |of )?(?:id|ids|identifier|number) (?:of |is |= )?${N} `, (m) => {
    const column = col(m.element(1));
    const value = num(m.element(2));
    if (!column?.isKey || !isEntityMention(m.element(1)) || value === undefined) return m.decline();
    where({ column, op: '=', value });
  });
  // "in grade 10", "grades 9 or 10", "aged either 32 or 33", "8 cylinders".
  s.apply(rule` ${C} ${BE}(of |equal to |equals |either |=)?(?:(${NEG}) )?${N}((?: or ${N})*) `, (m) => {
    const column = col(m.element(1));
    // "names of the 3 countries" is a limit, not a name; text columns match numbers only when they hold numbers.
    if (!column || !(column.isNumeric || (holdsNumbers(column) && m.group(2) !== 'of '))) return m.decline();
    const values = [m.element(4), ...m.elementsIn(5)].map(num).filter((n): n is number => n !== undefined);
    equalOrIn(column, values, !!m.group(3));
  });
  s.apply(rule` ${N}((?: or ${N})*) ${C} `, (m) => {
    const column = col(m.element(3));
    if (!column?.isNumeric) return m.decline();
    const values = [m.element(1), ...m.elementsIn(2)].map(num).filter((n): n is number => n !== undefined);
    equalOrIn(column, values, false);
  });

  function equalOrIn(column: ColumnEntry, values: number[], negated: boolean) {
    if (values.length === 1) where({ column, op: negated ? '<>' : '=', value: values[0]! });
    else where({ column, op: negated ? 'not in' : 'in', values });
  }

  // --- Row conditions on values and literals.
  // "Gelderland district": a value followed by its own column's name.
  s.apply(rule` (?:(${NEG}) )?${V} ${C} `, (m) => {
    const column = col(m.element(3));
    const value = valueIn(m.element(2), column);
    if (!column || !value || value.column !== column) return m.decline();
    where({ column, op: m.group(1) ? '<>' : '=', value: value.value });
  });
  s.apply(
    rule` (?:${C} ${BE}(?:named |called |titled |of |=|equal to |equals |in )?)?(?:(${NEG}) |is not |are not )?${V}((?: (?:or|and|nor) ${V})*) `,
    (m) => {
      const named = col(m.element(1));
      const refs = [m.element(3), ...m.elementsIn(4)];
      // A value found in several columns is placed by the column named with it, or not at all.
      const values = refs.map((e) => valueIn(e, named));
      if (values.length === 0 || values.some((v) => !v)) return m.decline();
      const column = values[0]!.column;
      if (named && named !== column) return m.decline();
      if (values.some((v) => v!.column !== column)) {
        // Values of different columns joined by "and": each is its own condition.
        if (m.m[0].includes(' or ')) return m.decline();
        for (const v of values) where({ column: v!.column, op: m.group(2) || /is not|are not/.test(m.m[0]) ? '<>' : '=', value: v!.value });
        return;
      }
      const negated = !!m.group(2) || / (?:is|are) not /.test(m.m[0]);
      const list = [...new Set(values.map((v) => v!.value))];
      if (list.length === 1) where({ column, op: negated ? '<>' : '=', value: list[0]! });
      else where({ column, op: negated ? 'not in' : 'in', values: list });
    },
  );
  s.apply(rule` ${C} ${BE}(?:named |called |titled |=|equal to |equals )?(?:(${NEG}) |is not |are not )?(q\\d+|p\\d+(?: p\\d+)*) `, (m) => {
    const column = col(m.element(1));
    const text = literalText(m.element(3)) ?? m.elementsIn(3).map(literalText).join(' ');
    if (!column?.isText || !text) return m.decline();
    where({ column, op: m.group(2) || / (?:is|are) not /.test(m.m[0]) ? '<>' : '=', value: text });
  });
  s.apply(rule` (?:named|called|titled) (q\\d+|p\\d+(?: p\\d+)*|[a-z0-9]+) `, (m) => {
    const column = label();
    const last = s.elements[s.current[s.current.length - 1]!];
    // "the section named h": a name typed in lower case is still the name it follows "named".
    const plain = last?.k === 'word' && last.word.kind === 'word' && !last.word.proper ? last.word : undefined;
    if (plain && LEDGER_SOFT_WORDS.has(plain.lower)) return m.decline();
    const text = plain ? plain.raw : m.elementsIn(1).map(literalText).join(' ');
    if (!column || !text) return m.decline();
    where({ column, op: '=', value: text });
  });

  // "all the information about instructors": every column.
  s.apply(
    rule` (?:all |every )?(?:information|info|details|data|everything|attributes|columns)(?: (?:about|on|of|for|regarding))? `,
    (m) => {
      if (table.columns.some((c) => c.meaningful.some((p) => /^(detail|info|data)/.test(p)))) return m.decline();
      out(m, {});
    },
  );
  // "What genres exist?": each value once.
  s.apply(rule` (exist|exists|existing|available|possible) `, () => {
    d.distinctAsked = true;
  });
  s.apply(rule` (?:in total|in all|in the world|around the world|in the database|on record|so far) `, () => {});

  // --- Aggregates: "average, minimum, and maximum age", "the maximum number of final tables".
  s.apply(rule` (${AGG}(?: and ${AGG}| ${AGG})*) (?:t\\d+ )?(?:number of |amount of |value of |values of )?(?:of )?${C} `, (m) => {
    const column = col(m.element(2));
    if (!column) return m.decline();
    const fns = (m.group(1)!.match(AGG_WORDS) ?? []).map((w) => lookup(AGGREGATES, w)!);
    if (fns.some((fn) => (fn === 'avg' || fn === 'sum') && !column.isNumeric)) return m.decline();
    for (const fn of fns) out(m, { fn, column });
  });

  // --- Counts.
  // "How many different departments": the table's rows, each one already distinct.
  s.apply(rule` (?:how many|(?:the )?(?:total )?number of|count of|count the number of|count) (?:different|distinct|unique) ${T} `, (m) => {
    out(m, { fn: 'count' });
  });
  s.apply(rule` (?:how many|(?:total )?number of|count of|count the number of|count|total count of)(?: ${T}| ${C})? `, (m) => {
    const counted = m.element(1);
    const column = col(m.element(2));
    // "how many rooms" counts rows when the word names what a row is: a key, or the table's own subject;
    // "how many countries" over rows that each have a country counts the countries.
    if (
      column &&
      !column.isKey &&
      !/^(number|no|num|code|id)$/.test(column.parts[column.parts.length - 1] ?? '') &&
      !column.parts.some((p) => table.stems.includes(p))
    ) {
      if (!column.isText) return m.decline();
      out(m, { fn: 'count', column, distinct: true });
      return;
    }
    if (counted && !(counted.k === 'mention' && counted.meaning.k === 'table')) return m.decline();
    out(m, { fn: 'count' });
  });

  // --- Distinct values: "the different nationalities".
  s.apply(rule` (?:different|distinct|unique) ${C} `, (m) => {
    const column = col(m.element(1));
    if (!column) return m.decline();
    d.distinctAsked = true;
    out(m, { column });
  });

  // "Orders by status": rows counted per value.
  if (d.outputs.length === 0) {
    s.apply(rule`^ (?:(?:show|list|give|get) (?:me )?)?${T} (?:by|per) ${C} $`, (m) => {
      const column = col(m.element(2));
      if (!column) return m.decline();
      groupBy(column);
      out(m, { fn: 'count' });
    });
  }
  // "count per status", "average price by type": only where something is aggregated.
  if (d.outputs.some((o) => o.output.fn)) {
    s.apply(rule` (?:per|by|for) ${C} `, (m) => {
      const column = col(m.element(1));
      if (!column) return m.decline();
      groupBy(column);
    });
  }

  // "the crime rate of counties" over `County_ID`: the rows, named by their key, not a column to show.
  s.apply(rule` (?:of|for|in|among|across|by) (?:all |each |every )?${C} `, (m) => {
    if (!col(m.element(1))?.isKey || !isEntityMention(m.element(1))) return m.decline();
  });

  // --- What is left of the table's own names: columns to show, and the table itself.
  s.apply(rule` ${C} `, (m) => {
    const column = col(m.element(1));
    if (!column) return m.decline();
    out(m, { column });
  });
  s.apply(rule` ${T} `, () => {});
  joinAlternatives(s, query, spans);
  return d;
}

/**
 * The value a mention names: in the `named` column when one was named with it; otherwise
 * only when no other column of the table holds the same words as surely.
 */
function valueIn(e: Element | undefined, named: ColumnEntry | undefined): { column: ColumnEntry; value: string } | undefined {
  if (e?.k !== 'mention' || e.meaning.k !== 'value') return undefined;
  const first = e.meaning;
  const rivals = e.others.filter(
    (o): o is typeof first =>
      o.k === 'value' && o.column.table === first.column.table && o.column !== first.column && o.score >= first.score,
  );
  if (named) return [first, ...rivals].find((v) => v.column === named) ?? (rivals.length === 0 ? first : undefined);
  return rivals.length === 0 ? first : undefined;
}

/** A date column, or a text column whose known values are all ISO dates (which sort as text). */
export function holdsDates(column: ColumnEntry): boolean {
  if (column.isTemporal) return true;
  const known = column.info.values ?? column.info.lookup ?? [];
  return column.isText && known.length > 0 && known.every((v) => /^\d{4}-\d{2}-\d{2}/.test(v));
}

/** A text column whose known values are all numbers (a year or grade kept as text). */
function holdsNumbers(column: ColumnEntry): boolean {
  const known = column.info.values ?? column.info.lookup ?? [];
  return column.isText && known.length > 0 && known.every((v) => /^-?\d+(\.\d+)?$/.test(v));
}

/** "height over 5000 or prominence over 1000": an unused "or" between two conditions joins them. */
function joinAlternatives(s: Sentence, query: TableQuery, spans: Map<Condition[], { from: number; to: number }>): void {
  for (const k of s.unused()) {
    const e = s.elements[k]!;
    if (e.k !== 'word' || e.word.lower !== 'or') continue;
    const groups = [...spans.entries()].filter(([g]) => query.where.includes(g));
    const before = groups.filter(([, span]) => span.to < k).sort((a, b) => b[1].to - a[1].to)[0];
    const after = groups.filter(([, span]) => span.from > k).sort((a, b) => a[1].from - b[1].from)[0];
    if (!before || !after) continue;
    // Only words that carry nothing may stand between the "or" and the conditions it joins.
    const between = [...range(before[1].to + 1, k), ...range(k + 1, after[1].from)];
    if (
      between.some(
        (i) => !s.used[i] && !(s.elements[i]!.k === 'word' && SOFT_JOINERS.has((s.elements[i] as { word: { lower: string } }).word.lower)),
      )
    )
      continue;
    before[0].push(...after[0]);
    query.where.splice(query.where.indexOf(after[0]), 1);
    spans.set(before[0], { from: before[1].from, to: after[1].to });
    s.used[k] = true;
    for (const i of between) s.used[i] = true;
  }
}

// prettier-ignore
const SOFT_JOINERS = new Set(['that', 'which', 'who', 'were', 'was', 'are', 'is', 'have', 'has', 'had', 'with', 'a', 'an', 'the', 'either', 'whose']);

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

/** A key column named by its entity alone: "documents" for `document_id`, not "document id". */
function isEntityMention(e: Element | undefined): boolean {
  return e?.k === 'mention' && e.meaning.k === 'column' && e.meaning.column.isKey && e.length === 1 && e.meaning.score < 0.9;
}

function literalText(e: Element | undefined): string | undefined {
  if (!e) return undefined;
  if (e.k === 'word') return e.word.kind === 'quoted' || e.word.proper || e.word.kind === 'word' ? e.word.raw : undefined;
  return e.meaning.k === 'value' ? e.meaning.value : e.text;
}

function cmpOf(phrase: string): CompareOp {
  if (phrase.endsWith(' than') && DIMENSION_COMPARATIVES.some(([p]) => p === phrase.slice(0, -5)))
    return comparativeOp(phrase.slice(0, -5));
  return opOf(COMPARISONS, phrase);
}

/** "heavier" is >, "younger" is < on the column it measures directly. */
function comparativeOp(word: string): CompareOp {
  return lookup(DIMENSION_COMPARATIVES, word)!.sign > 0 ? '>' : '<';
}

function negate(op: CompareOp): CompareOp {
  return ({ '>': '<=', '>=': '<', '<': '>=', '<=': '>', '=': '=' } as const)[op];
}

/** "from the oldest to the youngest" on `column`: descending when the first word means more of it. */
function extremeDirection(word: string, column: ColumnEntry): 'ASC' | 'DESC' {
  const dim = lookup(DIMENSION_SUPERLATIVES, word);
  if (dim) {
    const more = dim.sign > 0;
    // Oldest first on a birth date is the earliest date first.
    const reversed = column.isTemporal && (dim.reversedDateWords?.length ?? 0) > 0;
    return more !== reversed ? 'DESC' : 'ASC';
  }
  return lookup(SUPERLATIVES, word) ?? 'DESC';
}
