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
/** A whole question of its own; "what about …" is not one, nor one that points back ("of them"). */
const STANDALONE = /^(?:how|what|which|who|whom|when|where|list|show|give|count|find|tell)\b/i;
const POINTS_BACK = /\b(?:them|those|these|they|it|ones|that one)\b/i;
const SWAP = /^(?:what|how)\s+about\s+(.+)$/i;
const RANKING = /^(?:the\s+)?(?:(top|bottom|first|last)\s+(\d+)(?:\s+instead)?|(\d+)\s+instead)$/i;
const RANKED = /\b(top|bottom|first|last)\s+(\d+)\b/i;
const GROUPING = /^(?:(?:broken\s+down|split|grouped|broken\s+out)\s+)?(?:by|per)\s+(.+?)(\s+instead)?$/i;
const GROUPED = /\b(?:by|per)\s+[\p{L}\p{N}_-]+(?:\s+and\s+[\p{L}\p{N}_-]+)*/iu;
/** A follow-up that narrows the question: "only for 2024", "in Portugal", "excluding returns". */
const NARROWING = /^(?:only|just|for|in|from|during|since|before|after|with|without|excluding|except|among|where|who|that|which|of)\b/i;
const YEAR = /\b(?:1[89]|20)\d{2}\b/g;

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

  if (STANDALONE.test(text) && !SWAP.test(text)) {
    return POINTS_BACK.test(text) ? undefined : { question: trimEnd(followUp), change: 'standalone' };
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
    return replaceConflicting(base, text, schema) ?? { question: `${base}, ${text}`, change: 'filter' };
  }
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
  if (replaced) return replaced;
  const years = subject.match(YEAR);
  if (years?.length === 1) return { question: `${base}, only in ${years[0]}`, change: 'value' };
  const named = namedValue(subject, schema);
  return named ? { question: `${base}, only ${named.value}`, change: 'value' } : undefined;
}

/** The question with its year, or its value of a column, replaced by the one the follow-up names; undefined when none conflicts. */
function replaceConflicting(base: string, text: string, schema: SchemaContext): ResolvedFollowUp | undefined {
  const years = text.match(YEAR);
  if (years?.length === 1 && base.match(YEAR)) return { question: base.replace(YEAR, years[0]!), change: 'value' };
  const named = namedValue(text, schema);
  const before = named?.siblings.find((value) => value.toLowerCase() !== named.value.toLowerCase() && wholePhrase(value).test(base));
  return before ? { question: base.replace(wholePhrase(before), named!.value), change: 'value' } : undefined;
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
