import type { SchemaContext } from '@flock/schema';

/** How a follow-up changed the question before it. */
export type FollowUpChange = 'filter' | 'grouping' | 'ranking' | 'value' | 'standalone';

export interface ResolvedFollowUp {
  /** The follow-up as a question of its own, which any engine can answer. */
  question: string;
  change: FollowUpChange;
}

/** Openers that carry no meaning of their own: "and", "ok, now", "but". */
const OPENER = /^(?:and|but|ok(?:ay)?|now|also|so|then|well)\b[\s,]*/i;
/** A question of its own starts like one; it still stands alone only if it names a table or column. */
const QUESTION_START = /^(?:how|what|when|where|list|show|give|count|find|tell)\b/i;
/** Words that lean on the answer before ("of them", "the same", "which are…"): never read alone. */
const POINTS_BACK = /^(?:who|whom|which|that)\b|\b(?:them|those|these|they|it|same|that one)\b/i;
const SWAP = /^(?:what|how)\s+about\s+(.+)$/i;
const RANKING = /^(?:the\s+)?(?:(top|bottom|first|last)\s+(\d+)(?:\s+instead)?|(\d+)\s+instead)$/i;
const RANKED = /\b(top|bottom|first|last)\s+(\d+)\b/i;
const GROUPING = /^(?:(?:broken\s+down|split|grouped|broken\s+out)\s+)?(?:by|per)\s+(.+?)(\s+instead)?$/i;
const GROUPED = /\b(?:by|per)\s+[\p{L}\p{N}_-]+(?:\s+and\s+[\p{L}\p{N}_-]+)*/iu;
/**
 * Follow-ups that narrow the question with a value or a period ("only for 2024", "in
 * Portugal", "just gold ones"): a value of a column the question already filters on
 * replaces it, otherwise the words are added.
 */
const NARROWING = /^(?:only|just|for|in|during)\b/i;
/** Narrowing that only adds words, never replaces one: "with a refund", "among new customers". */
const ADDING = /^(?:with|among|of)\b/i;
/**
 * Words that turn a value round or make it a bound ("excluding X", "not X", "before
 * 2024"): swapping X in for the question's own value would answer the opposite, and
 * appending them bets on the engine reading the negation. Refused.
 */
const TURNS =
  /\b(?:not|no|non|without|excluding|except|other\s+than|besides|before|after|since|until|till|from|between|over|under|above|below|more|less|fewer|older|newer|earlier|later)\b|\bnon-/i;
/** A year, not the size of a ranking ("top 2000"). */
/** A follow-up whose change cannot be placed in one way only: refused. */
const AMBIGUOUS = 'ambiguous' as const;
const YEAR = /(?<!\b(?:top|bottom|first|last)\s+)\b(?:1[89]|20)\d{2}\b/gi;

const trimEnd = (text: string) => text.trim().replace(/[\s?!.]+$/u, '');
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const wholePhrase = (phrase: string) => new RegExp(`(?<![\\p{L}\\p{N}_])${escape(phrase)}(?![\\p{L}\\p{N}_])`, 'iu');

/**
 * Turns a follow-up ("only for 2024", "and by country?", "what about gold customers?",
 * "top 10 instead") into a question of its own, from the question it follows: the
 * engine then reads it as it reads any question, so every word must still mean
 * something to it or the question is refused. The changes it knows: an added filter
 * (appended), added or replaced grouping, a changed ranking size, and a value swapped
 * for another of the same column (or, for a year, another year). A whole new question
 * stands alone. Anything else is undefined: the caller refuses rather than guess.
 */
export function resolveFollowUp(previous: string, followUp: string, schema: SchemaContext): ResolvedFollowUp | undefined {
  const base = trimEnd(previous);
  let text = trimEnd(followUp);
  for (let before = ''; before !== text;) {
    before = text;
    text = text.replace(OPENER, '');
  }
  if (!text || !base) return undefined;

  if (POINTS_BACK.test(text) || TURNS.test(text)) return undefined;
  if (QUESTION_START.test(text) && !SWAP.test(text)) {
    return namesSchema(text, schema) ? { question: trimEnd(followUp), change: 'standalone' } : undefined;
  }

  const ranking = RANKING.exec(text);
  if (ranking) {
    const ranked = RANKED.exec(base);
    if (!ranked) return undefined;
    // The question's own word (and its capital) unless the follow-up turns the ranking round.
    const word = ranking[1] && ranking[1].toLowerCase() !== ranked[1]!.toLowerCase() ? ranking[1] : ranked[1]!;
    return { question: base.replace(RANKED, `${word} ${ranking[2] ?? ranking[3]}`), change: 'ranking' };
  }

  const grouping = GROUPING.exec(text);
  if (grouping) {
    const [, dimension, instead] = grouping;
    const grouped = GROUPED.exec(base);
    if (instead) return grouped ? { question: base.replace(GROUPED, `by ${dimension}`), change: 'grouping' } : undefined;
    const question = grouped ? base.replace(GROUPED, (phrase) => `${phrase} and ${dimension}`) : `${base} by ${dimension}`;
    return { question, change: 'grouping' };
  }

  const swap = SWAP.exec(text);
  if (swap) return swapValue(base, swap[1]!, schema);

  if (NARROWING.test(text)) {
    // "and in 2024?" after "… in 2023": the year (or a value of the same column) changes rather than both applying.
    const replaced = replaceConflicting(base, text, schema);
    if (replaced === AMBIGUOUS) return undefined;
    return replaced ?? { question: `${base}, ${text}`, change: 'filter' };
  }
  if (ADDING.test(text)) return { question: `${base}, ${text}`, change: 'filter' };
  // A bare value or year ("Gold?", "2024?") asks the same about it.
  return swapValue(base, text, schema);
}

/**
 * "what about X": a year replaces the question's years (or narrows to it); a value of a
 * column replaces the question's value of that column (or narrows to it). Words that are
 * neither cannot be placed.
 */
function swapValue(base: string, subject: string, schema: SchemaContext): ResolvedFollowUp | undefined {
  const replaced = replaceConflicting(base, subject, schema);
  if (replaced === AMBIGUOUS) return undefined;
  if (replaced) return replaced;
  const years = subject.match(YEAR);
  if (years?.length === 1) {
    return base.match(YEAR) || !onlyNames(subject, years[0]!, schema)
      ? undefined
      : { question: `${base}, only in ${years[0]}`, change: 'value' };
  }
  const named = namedValue(subject, schema);
  return named && onlyNames(subject, named.value, schema) ? { question: `${base}, only ${named.value}`, change: 'value' } : undefined;
}

/**
 * The question with its year, or its value of a column, replaced by the one the
 * follow-up names; undefined when nothing conflicts. A question with more than one year
 * ("joined in 2020 with orders in 2023") does not say which to replace, so none is.
 */
function replaceConflicting(base: string, text: string, schema: SchemaContext): ResolvedFollowUp | typeof AMBIGUOUS | undefined {
  const years = text.match(YEAR);
  const baseYears = base.match(YEAR);
  if (years?.length === 1 && baseYears) {
    if (baseYears.length > 1 || !onlyNames(text, years[0]!, schema)) return AMBIGUOUS;
    return { question: base.replace(YEAR, years[0]!), change: 'value' };
  }
  const named = namedValue(text, schema);
  const before = named?.siblings.filter((value) => value.toLowerCase() !== named.value.toLowerCase() && wholePhrase(value).test(base));
  if (!before?.length) return undefined;
  // "in Portugal and Spain" + "only in Italy": which one goes is not said. Nor can a
  // swap carry other words ("only in Italy for new ones"): both are refused.
  if (before.length > 1 || !onlyNames(text, named!.value, schema)) return AMBIGUOUS;
  return { question: base.replace(wholePhrase(before[0]!), named!.value), change: 'value' };
}

/** Words a swapped-in value may come with: "what about the gold ones", "only in 2024". */
const SWAP_WORDS = new Set(['what', 'how', 'about', 'only', 'just', 'for', 'in', 'during', 'the', 'a', 'an', 'ones', 'one']);

/** Whether the text is the value and nothing else but filler and the schema's own names (so no word is dropped by a swap). */
function onlyNames(text: string, value: string, schema: SchemaContext): boolean {
  const rest = text.replace(wholePhrase(value), ' ');
  const names = schemaWords(schema);
  return (rest.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).every(
    (word) => SWAP_WORDS.has(word) || names.has(word) || names.has(word.replace(/e?s$/, '')),
  );
}

/** The words of the schema's table and column names. */
function schemaWords(schema: SchemaContext): Set<string> {
  const words = new Set<string>();
  for (const table of schema.tables) {
    for (const name of [table.name, ...table.columns.map((column) => column.name)]) {
      for (const part of name.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (part.length > 2) words.add(part);
    }
  }
  return words;
}

/** Whether the text names one of the schema's tables or columns (a word of its name, singular or plural). */
function namesSchema(text: string, schema: SchemaContext): boolean {
  const names = schemaWords(schema);
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).some((word) => names.has(word) || names.has(word.replace(/e?s$/, '')));
}

/** The longest value of a listed text column that the text names, with the other values of its column. */
function namedValue(text: string, schema: SchemaContext): { value: string; siblings: string[] } | undefined {
  let best: { value: string; siblings: string[] } | undefined;
  for (const table of schema.tables) {
    for (const column of table.columns) {
      const values = column.values ?? column.lookup ?? [];
      for (const value of values) {
        if (value.length < 2 || (best && best.value.length >= value.length)) continue;
        if (wholePhrase(value).test(text)) best = { value, siblings: values };
      }
    }
  }
  return best;
}
