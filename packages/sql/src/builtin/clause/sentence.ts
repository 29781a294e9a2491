/**
 * The question as a line of symbols for clause rules: a column mention is `c7`, a table
 * mention `t2`, a value `v4`, a number `n3`, a quoted literal `q5`, a capitalised word
 * that named nothing `p6`, a mention of another table's thing `x1` (the digits are the
 * element's position); every other word is itself, in lower case. Rules are regular
 * expressions over that line. What a rule matches is used up, so each word of the
 * question serves one clause, and whatever no rule used is left for the ledger.
 */
import type { TableEntry } from '../schema-index';
import { tableOf, type Element } from './mentions';

const ARTICLES = new Set(['the', 'a', 'an', 'its', 'their', 'his', 'her', 'of the']);

export class Sentence {
  readonly used: boolean[];
  /** Element positions of the match whose action is running. */
  current: number[] = [];

  constructor(
    readonly elements: Element[],
    readonly table: TableEntry,
  ) {
    this.used = elements.map((e) => e.k === 'word' && ARTICLES.has(e.word.lower));
  }

  symbol(i: number): string {
    const e = this.elements[i]!;
    if (e.k === 'mention') {
      const m = e.meaning;
      if (tableOf(m) !== this.table) return `x${i}`;
      return `${m.k === 'value' ? 'v' : m.k === 'table' ? 't' : 'c'}${i}`;
    }
    const w = e.word;
    if (w.kind === 'number') return `n${i}`;
    if (w.kind === 'quoted') return `q${i}`;
    if (w.kind === 'date') return `d${i}`;
    if (w.proper) return `p${i}`;
    return w.lower;
  }

  /** The unused elements as one line, padded with spaces so every token sits between two. */
  private line(): { text: string; starts: number[]; at: number[] } {
    let text = ' ';
    const starts: number[] = [];
    const at: number[] = [];
    this.elements.forEach((_, i) => {
      if (this.used[i]) return;
      starts.push(text.length);
      at.push(i);
      text += `${this.symbol(i)} `;
    });
    return { text, starts, at };
  }

  /**
   * Applies `rule` wherever `pattern` matches, left to right, until it matches no more.
   * The action calls `m.decline()` to pass a match by (its words stay unused).
   */
  apply(pattern: RegExp, action: (m: Match) => void): void {
    // A global pattern (see rule) is used as it is: its lastIndex is set below before
    // each search, and after each action, which may apply the same rule again.
    const global = pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
    for (let guard = 0; guard < 50; guard++) {
      const { text, starts, at } = this.line();
      let progressed = false;
      global.lastIndex = 0;
      for (let m = global.exec(text); m; m = global.exec(text)) {
        const from = m.index;
        const to = m.index + m[0].length;
        const match = new Match(m, this);
        this.current = at.filter((_, k) => starts[k]! >= from && starts[k]! < to);
        action(match);
        if (match.declined) {
          // A declined match may hide a shorter one inside it: look again from the next word.
          global.lastIndex = from + 1;
          continue;
        }
        at.forEach((i, k) => {
          if (starts[k]! >= from && starts[k]! < to) this.used[i] = true;
        });
        progressed = true;
        break;
      }
      if (!progressed) return;
    }
  }

  unused(): number[] {
    return this.elements.map((_, i) => i).filter((i) => !this.used[i]);
  }
}

export class Match {
  declined = false;

  constructor(
    readonly m: RegExpMatchArray,
    private readonly sentence: Sentence,
  ) {}

  /** Leaves this match unused: the words did not read as the rule expected. */
  decline(): void {
    this.declined = true;
  }

  /** The captured group's text, or undefined when the group did not take part. */
  group(n: number): string | undefined {
    return this.m[n];
  }

  /** The element a captured symbol (`c7`) stands for. */
  element(n: number): Element | undefined {
    const symbol = this.m[n];
    if (!symbol) return undefined;
    const at = /^[a-z](\d+)$/.exec(symbol);
    return at ? this.sentence.elements[Number(at[1])] : undefined;
  }

  /** Element positions of every symbol in the captured group, in order. */
  elementsIn(n: number): Element[] {
    const text = this.m[n] ?? '';
    return [...text.matchAll(/\b[a-z](\d+)\b/g)].map((s) => this.sentence.elements[Number(s[1])]!).filter(Boolean);
  }

  get index(): number {
    return this.m.index ?? 0;
  }
}

const compiled = new WeakMap<TemplateStringsArray, { pieces: readonly string[]; pattern: RegExp }>();

/**
 * A clause rule's pattern, written as a template (`` rule` ${C} of ` ``, escaped as in
 * a string given to `new RegExp`) and compiled once per place it is written, global,
 * for Sentence.apply. A question runs about fifty rules: building each one's
 * expression afresh cost a compile, or a lookup in V8's cache of them, which a full
 * garbage collection empties, so the first question after one took 20–26 ms instead
 * of about 3. It is compiled again only if what it interpolates has changed.
 */
export function rule(strings: TemplateStringsArray, ...pieces: string[]): RegExp {
  const kept = compiled.get(strings);
  if (kept && kept.pieces.every((piece, i) => piece === pieces[i])) return kept.pattern;
  const pattern = new RegExp(
    strings.reduce((source, text, i) => source + pieces[i - 1]! + text),
    'g',
  );
  compiled.set(strings, { pieces, pattern });
  return pattern;
}

/** A regular-expression alternation of phrases, longest first, spaces kept. */
export function alt(phrases: readonly string[]): string {
  return `(?:${[...phrases]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|')})`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
