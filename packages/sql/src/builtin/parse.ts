/**
 * Question → items: each stretch of the question becomes a cue (an English function such
 * as "how many" or "per"), a reference to the schema (table, column, value) or a
 * literal (a year, a date, a number). Interpretation works on this list, not on words.
 */
import {
  CUE_PHRASES,
  FUNCTION_WORDS,
  GRAIN_WORDS,
  MONEY_QUESTION_WORDS,
  MONTHS,
  NUMBER_WORDS,
  SOFT_WORDS,
  type CompareOp,
  type Cue,
  type Grain,
} from './lexicon';
import type { SchemaIndex, Term, ValueEntry } from './schema-index';
import { rootOf, stem, type Token } from '../text/tokenize';

/** A time filter, independent of the column it will apply to. */
export type TimeSpec =
  | { t: 'year'; year: number; month?: number }
  | { t: 'month'; month: number }
  | { t: 'cmp'; op: CompareOp; date: string }
  /** `from` inclusive, `to` exclusive. */
  | { t: 'range'; from: string; to: string }
  | { t: 'relative'; unit: 'year' | 'month'; offset: number };

export type Item =
  | { k: 'cue'; cue: Cue; text: string }
  | { k: 'ref'; terms: Term[]; text: string; negated: boolean }
  | { k: 'value'; values: ValueEntry[]; text: string; negated: boolean }
  | { k: 'time'; time: TimeSpec; text: string }
  | { k: 'compare'; op: CompareOp; value: number; text: string }
  | { k: 'range'; low: number; high: number; text: string }
  | { k: 'limit'; n: number; text: string }
  | { k: 'grain'; unit: Grain; text: string }
  | { k: 'num'; value: number; yearLike: boolean; text: string }
  | { k: 'date'; date: string; text: string }
  | { k: 'month'; month: number; text: string }
  /**
   * A word that matches nothing; `proper` when capitalised mid-sentence, like a name or a
   * code; `modifies` when the next word follows it directly, as an adjective's noun does.
   */
  | { k: 'unknown'; text: string; proper: boolean; modifies: boolean };

const CUES_BY_FIRST_WORD: Map<string, [string[], Cue][]> = (() => {
  const map = new Map<string, [string[], Cue][]>();
  for (const entry of CUE_PHRASES) {
    const first = entry[0][0] ?? '';
    const list = map.get(first) ?? [];
    list.push(entry);
    map.set(first, list);
  }
  for (const list of map.values()) list.sort((a, b) => b[0].length - a[0].length);
  return map;
})();

/** Cue kinds that give way to a table or column named exactly like the word (a `date` column, a `users` table). */
const YIELDING_CUES = new Set<Cue['k']>(['temporal-hint', 'person', 'distinct', 'list', 'grain', 'unsupported']);

const MIN_YEAR = 1900;
const MAX_YEAR = 2100;

export function parseItems(tokens: Token[], index: SchemaIndex): Item[] {
  return combine(scan(tokens, index));
}

function cueAt(tokens: Token[], i: number): { cue: Cue; length: number } | undefined {
  const first = tokens[i];
  if (!first || first.kind !== 'word') return undefined;
  for (const [words, cue] of CUES_BY_FIRST_WORD.get(first.lower) ?? []) {
    if (words.every((word, j) => tokens[i + j]?.lower === word)) return { cue, length: words.length };
  }
  return undefined;
}

function spanText(tokens: Token[], i: number, length: number): string {
  return tokens
    .slice(i, i + length)
    .map((t) => t.raw)
    .join(' ');
}

function termsFor(tokens: Token[], i: number, length: number, index: SchemaIndex): Term[] {
  const span = tokens.slice(i, i + length);
  if (span.length < length || span.some((t) => t.kind !== 'word')) return [];
  // A span may not begin or end on a function word: "the type" is "type".
  if (FUNCTION_WORDS.has(span[0]!.lower) || FUNCTION_WORDS.has(span[span.length - 1]!.lower)) {
    if (length > 1 || !index.terms.has(span[0]!.stem)) return [];
  }
  const stems = span.map((t) => t.stem);
  const found = [...(index.terms.get(stems.join(' ')) ?? [])];
  if (length > 1) for (const term of index.terms.get(stems.join('')) ?? []) found.push(term);
  if (length === 1 && found.length === 0) {
    // "employees" → employ, which the index holds as the root of `employment`. Only as a
    // fallback: "shipment" must stay the table, not reach `shipped_at` through its root.
    const root = rootOf(stems[0]!);
    if (root !== stems[0]) for (const term of index.terms.get(root) ?? []) found.push({ ...term, score: term.score * 0.85 });
  }
  return dedupeTerms(found);
}

function dedupeTerms(terms: Term[]): Term[] {
  const out: Term[] = [];
  for (const term of terms) {
    const same = out.find((t) => t.table === term.table && t.column === term.column);
    if (same) same.score = Math.max(same.score, term.score);
    else out.push({ ...term });
  }
  return out.sort((a, b) => b.score - a.score);
}

function valuesFor(tokens: Token[], i: number, length: number, index: SchemaIndex): ValueEntry[] {
  const span = tokens.slice(i, i + length);
  if (span.length < length || span.some((t) => t.kind === 'date')) return [];
  if (length === 1 && (FUNCTION_WORDS.has(span[0]!.lower) || span[0]!.kind !== 'word')) return [];
  const stems = span.map((t) => (t.kind === 'number' ? t.lower : t.stem));
  const hits = index.values.get(stems.join(' ')) ?? (length > 1 ? index.values.get(stems.join('')) : undefined) ?? [];
  return hits.filter((v) => v.words === length || length > 1);
}

function scan(tokens: Token[], index: SchemaIndex): Item[] {
  const items: Item[] = [];
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token.kind === 'date') {
      items.push({ k: 'date', date: token.date!, text: token.raw });
      i++;
      continue;
    }

    // Multi-word spans first, longest wins: "United Kingdom", "first name", "how many".
    let matched = false;
    const longest = Math.max(index.maxTermWords, index.maxValueWords, 4);
    for (let length = Math.min(longest, tokens.length - i); length >= 2 && !matched; length--) {
      const values = valuesFor(tokens, i, length, index);
      const terms = termsFor(tokens, i, length, index);
      const cue = cueAt(tokens, i);
      if (cue && cue.length >= length && (cue.length > length || (values.length === 0 && terms.length === 0))) {
        items.push({ k: 'cue', cue: cue.cue, text: spanText(tokens, i, cue.length) });
        i += cue.length;
        matched = true;
      } else if (values.length > 0) {
        items.push({ k: 'value', values, text: spanText(tokens, i, length), negated: false });
        i += length;
        matched = true;
      } else if (terms.length > 0 && terms[0]!.score >= 0.9) {
        items.push({ k: 'ref', terms, text: spanText(tokens, i, length), negated: false });
        i += length;
        matched = true;
      }
    }
    if (matched) continue;

    if (token.kind === 'number') {
      items.push({ k: 'num', value: token.num!, yearLike: isYear(token), text: token.raw });
      i++;
      continue;
    }

    const month = MONTHS[token.lower];
    if (month !== undefined && (isYear(tokens[i + 1]) || isTimePrep(items[items.length - 1]))) {
      items.push({ k: 'month', month, text: token.raw });
      i++;
      continue;
    }

    const terms = termsFor(tokens, i, 1, index);
    const exactTerm = terms.find((t) => t.score >= 1);
    const grain = GRAIN_WORDS[token.lower];
    const previous = items[items.length - 1];
    // "per year", and "which month had the most ...", where the month is what is ranked.
    if (grain && !exactTerm && (isGroupCue(previous) || (previous?.k === 'cue' && previous.cue.k === 'which'))) {
      items.push({ k: 'grain', unit: grain, text: token.raw });
      i++;
      continue;
    }

    const cue = cueAt(tokens, i);
    if (cue && !(exactTerm && YIELDING_CUES.has(cue.cue.k))) {
      const text = spanText(tokens, i, cue.length);
      items.push(cue.cue.k === 'grain' ? { k: 'grain', unit: cue.cue.unit, text } : { k: 'cue', cue: cue.cue, text });
      i += cue.length;
      continue;
    }

    const spelled = NUMBER_WORDS[token.lower];
    if (spelled !== undefined && !exactTerm) {
      items.push({ k: 'num', value: spelled, yearLike: false, text: token.raw });
      i++;
      continue;
    }

    if (FUNCTION_WORDS.has(token.lower)) {
      i++;
      continue;
    }

    const values = valuesFor(tokens, i, 1, index);
    // A listed value beats the money reading: "employees in Sales" filters on Sales.
    if (!exactTerm && values.length === 0 && MONEY_QUESTION_WORDS.has(token.stem) && index.moneyTerms.length > 0) {
      const named = terms.filter((t) => t.score >= 0.6);
      items.push({ k: 'ref', terms: dedupeTerms([...named, ...index.moneyTerms]), text: token.raw, negated: false });
      i++;
      continue;
    }
    if (exactTerm || (terms.length > 0 && values.length === 0)) {
      items.push({ k: 'ref', terms, text: token.raw, negated: false });
      i++;
      continue;
    }
    if (values.length > 0) {
      items.push({ k: 'value', values, text: token.raw, negated: false });
      i++;
      continue;
    }

    const negatedItem = negatedWord(token, index);
    if (negatedItem) {
      items.push(negatedItem);
      i++;
      continue;
    }

    if (!SOFT_WORDS.has(token.lower) && !SOFT_WORDS.has(token.stem) && !GRAIN_WORDS[token.lower]) {
      const next = tokens[i + 1];
      const modifies = !!next && next.kind === 'word' && !FUNCTION_WORDS.has(next.lower) && !cueAt(tokens, i + 1);
      items.push({ k: 'unknown', text: token.raw, proper: i > 0 && /^[A-Z]/.test(token.raw), modifies });
    } else if (GRAIN_WORDS[token.lower] === 'year' || GRAIN_WORDS[token.lower] === 'day') {
      // "What year did ..." asks for a date, like "when".
      items.push({ k: 'cue', cue: { k: 'temporal-hint' }, text: token.raw });
    }
    i++;
  }
  return items;
}

/** "unreturned", "nonpaying": a negated value or flag ("non-shipped" is non + shipped, handled by the `not` cue). */
function negatedWord(token: Token, index: SchemaIndex): Item | undefined {
  const match = /^(un|non|in)(.{4,})$/.exec(token.lower);
  if (!match) return undefined;
  const rest = stem(match[2]!);
  const values = index.values.get(rest);
  if (values && values.length > 0) return { k: 'value', values, text: token.raw, negated: true };
  const terms = (index.terms.get(rest) ?? []).filter((t) => t.column?.isBoolean);
  if (terms.length > 0) return { k: 'ref', terms: dedupeTerms(terms), text: token.raw, negated: true };
  return undefined;
}

function isYear(token: Token | undefined): boolean {
  return !!token && token.kind === 'number' && !!token.yearLike && token.num! >= MIN_YEAR && token.num! <= MAX_YEAR;
}

function isTimePrep(item: Item | undefined): boolean {
  return item?.k === 'cue' && (item.cue.k === 'time-prep' || item.cue.k === 'between' || item.cue.k === 'from');
}

function isGroupCue(item: Item | undefined): boolean {
  return item?.k === 'cue' && item.cue.k === 'group';
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function firstOfMonth(year: number, month: number): string {
  const y = month > 12 ? year + 1 : year;
  const m = month > 12 ? month - 12 : month;
  return `${y}-${pad(m)}-01`;
}

/** A year, optionally with a month, as the half-open range it covers. */
function span(year: number, month?: number): { from: string; to: string } {
  if (month === undefined) return { from: `${year}-01-01`, to: `${year + 1}-01-01` };
  return { from: firstOfMonth(year, month), to: firstOfMonth(year, month + 1) };
}

type Moment = { year: number; month?: number } | { date: string };

function timeFromPrep(prep: string, moment: Moment): TimeSpec {
  if ('date' in moment) {
    switch (prep) {
      case 'after':
        return { t: 'cmp', op: '>', date: moment.date };
      case 'before':
        return { t: 'cmp', op: '<', date: moment.date };
      case 'since':
        return { t: 'cmp', op: '>=', date: moment.date };
      case 'until':
        return { t: 'cmp', op: '<=', date: moment.date };
      default:
        return { t: 'cmp', op: '=', date: moment.date };
    }
  }
  const { from, to } = span(moment.year, moment.month);
  switch (prep) {
    case 'after':
      return { t: 'cmp', op: '>=', date: to };
    case 'before':
      return { t: 'cmp', op: '<', date: from };
    case 'since':
      return { t: 'cmp', op: '>=', date: from };
    case 'until':
      return { t: 'cmp', op: '<', date: to };
    default:
      return moment.month === undefined ? { t: 'year', year: moment.year } : { t: 'year', year: moment.year, month: moment.month };
  }
}

/** Reads a year, "March 2024" or a date at `items[i]`; returns it and how many items it used. */
function momentAt(items: Item[], i: number): { moment: Moment; used: number } | undefined {
  const item = items[i];
  if (!item) return undefined;
  if (item.k === 'date') return { moment: { date: item.date }, used: 1 };
  if (item.k === 'num' && item.yearLike && item.value >= MIN_YEAR && item.value <= MAX_YEAR) {
    return { moment: { year: item.value }, used: 1 };
  }
  if (item.k === 'month') {
    const next = items[i + 1];
    if (next?.k === 'num' && next.yearLike) return { moment: { year: next.value, month: item.month }, used: 2 };
  }
  return undefined;
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function rangeOf(a: Moment, b: Moment): { from: string; to: string } {
  const from = 'date' in a ? a.date : span(a.year, a.month).from;
  const to = 'date' in b ? nextDay(b.date) : span(b.year, b.month).to;
  return { from, to };
}

/** Second pass: literals join their prepositions into time filters, comparisons and limits. */
function combine(items: Item[]): Item[] {
  const out: Item[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const next = items[i + 1];
    if (item.k === 'cue') {
      const cue = item.cue;
      if (cue.k === 'time-prep') {
        const moment = momentAt(items, i + 1);
        if (moment) {
          out.push({ k: 'time', time: timeFromPrep(cue.prep, moment.moment), text: item.text });
          i += moment.used;
          continue;
        }
        if (next?.k === 'month' && cue.prep === 'in') {
          out.push({ k: 'time', time: { t: 'month', month: next.month }, text: `${item.text} ${next.text}` });
          i += 1;
          continue;
        }
        // "priced in EUR", "for each": the preposition carries nothing more.
        continue;
      }
      if (cue.k === 'between' || cue.k === 'from') {
        const a = momentAt(items, i + 1);
        const andItem = a ? items[i + 1 + a.used] : undefined;
        const bIndex = a
          ? i + 1 + a.used + (andItem?.k === 'cue' && (andItem.cue.k === 'and' || andItem.cue.k === 'time-prep') ? 1 : 0)
          : -1;
        const b = a ? momentAt(items, bIndex) : undefined;
        const previous = out[out.length - 1];
        const numericContext =
          previous?.k === 'ref' && previous.terms.some((t) => t.column?.isNumeric) && !previous.terms.some((t) => t.column?.isTemporal);
        if (a && b && !numericContext) {
          const range = rangeOf(a.moment, b.moment);
          out.push({ k: 'time', time: { t: 'range', from: range.from, to: range.to }, text: item.text });
          i = bIndex + b.used - 1;
          continue;
        }
        if (cue.k === 'between' && next?.k === 'num') {
          const andItem2 = items[i + 2];
          const high = items[i + 3];
          if (andItem2?.k === 'cue' && andItem2.cue.k === 'and' && high?.k === 'num') {
            out.push({ k: 'range', low: Math.min(next.value, high.value), high: Math.max(next.value, high.value), text: item.text });
            i += 3;
            continue;
          }
        }
        if (cue.k === 'from') continue;
      }
      if (cue.k === 'cmp') {
        if (next?.k === 'num') {
          out.push({ k: 'compare', op: cue.op, value: next.value, text: `${item.text} ${next.text}` });
          i += 1;
          continue;
        }
        if (next?.k === 'date') {
          out.push({ k: 'time', time: { t: 'cmp', op: cue.op, date: next.date }, text: item.text });
          i += 1;
          continue;
        }
        // "over time", "under the age": not a comparison after all.
        continue;
      }
      if (cue.k === 'relative-time') {
        out.push({ k: 'time', time: { t: 'relative', unit: cue.unit, offset: cue.offset }, text: item.text });
        continue;
      }
      if (cue.k === 'top' && next?.k === 'num') {
        out.push(item, { k: 'limit', n: Math.max(1, Math.floor(next.value)), text: next.text });
        i += 1;
        continue;
      }
      if (cue.k === 'not') {
        // Negation reaches the next value or boolean a word or two later: "not returned".
        const target = [items[i + 1], items[i + 2]].find((x) => x?.k === 'value' || x?.k === 'ref');
        if (target && (target.k === 'value' || target.k === 'ref')) target.negated = !target.negated;
        continue;
      }
      out.push(item);
      continue;
    }
    if (item.k === 'num') {
      const post = next?.k === 'cue' && next.cue.k === 'cmp-post' ? next.cue : undefined;
      if (post) {
        out.push({ k: 'compare', op: post.op, value: item.value, text: `${item.text} ${next!.text}` });
        i += 1;
        continue;
      }
      const moment = momentAt(items, i);
      // "2000 pages" is a quantity of a numeric column, not a year.
      const quantity = next?.k === 'ref' && next.terms.some((t) => t.column?.isNumeric && !t.column.isKey);
      if (moment && !quantity && !(next?.k === 'cue' && (next.cue.k === 'super' || next.cue.k === 'top'))) {
        out.push({ k: 'time', time: timeFromPrep('in', moment.moment), text: item.text });
        continue;
      }
      if (next && (next.k === 'ref' || next.k === 'value' || (next.k === 'cue' && (next.cue.k === 'super' || next.cue.k === 'popular')))) {
        out.push({ k: 'limit', n: Math.max(1, Math.floor(item.value)), text: item.text });
        continue;
      }
      out.push(item);
      continue;
    }
    if (item.k === 'month') {
      const moment = momentAt(items, i);
      if (moment) {
        out.push({ k: 'time', time: timeFromPrep('in', moment.moment), text: item.text });
        i += moment.used - 1;
      }
      continue;
    }
    if (item.k === 'date') {
      out.push({ k: 'time', time: { t: 'cmp', op: '=', date: item.date }, text: item.text });
      continue;
    }
    out.push(item);
  }
  return out;
}
