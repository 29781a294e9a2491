/**
 * Mentions: which stretches of the question name a table, a column or a value, scored by
 * how sure the match is. Names are compared word by word on stems, with the forms real
 * schemas use: abbreviations (`IndepYear` ↔ "independence year"), run-together words
 * (`Highschooler` ↔ "high schooler"), the table's own name left off a column
 * (`concert_Name` ↔ "name"), and one-letter typos in long words. Nothing here knows any
 * particular schema.
 */
import { cachedPer, type ColumnEntry, type SchemaIndex, type TableEntry } from '../schema-index';
import { stem } from '../../text/tokenize';
import { spell, wordSimilarity } from './similarity';
import { NAME_STOP_WORDS, SEX_CODES, SEX_COLUMN_WORDS, STRUCTURAL_WORDS, TABLE_FILLER_PARTS } from '../lexicon/clause-words';
import { wordnet } from '../language/wordnet';
import { valueIndex, type ValueIndex } from './value-index';
import type { Word } from './words';

const STRUCTURAL_STEMS = new Set([...STRUCTURAL_WORDS].map(stem));

export type Meaning =
  | { k: 'table'; table: TableEntry; score: number }
  | { k: 'column'; column: ColumnEntry; score: number }
  | { k: 'value'; column: ColumnEntry; value: string; score: number };

/** The longest stretch of words one name is matched over. */
const MAX_SPAN = 4;

/** The word lists a column is known by, each with how fully it names the column. */
function columnForms(column: ColumnEntry): [string[], number][] {
  const forms: [string[], number][] = [[column.parts, 1]];
  const tableStems = column.table.stems;
  // `concert_Name` in `concert`, and `FacID` in `Faculty`: the table's name, perhaps abbreviated, first.
  const ownPrefix =
    column.parts.length > tableStems.length &&
    tableStems.every((s, i) => column.parts[i] === s || wordSimilarity(s, column.parts[i]!) >= 0.7);
  if (column.isKey) {
    // A key is named whole ("student id"), or as "id" in its own table (`PetID` in `Pets`);
    // `student_id` alone is how a row of a student is named elsewhere: "each student".
    const linked = column.table.parents.some((link) => link.childColumns.includes(column.name));
    if (ownPrefix) forms.push([column.parts.slice(tableStems.length), 0.95]);
    // A link to a known parent is left to the planner, which can show the parent's name instead of an id.
    else if (column.parts.length === 2 && column.parts[1] === 'id' && !linked) forms.push([[column.parts[0]!], 0.7]);
    return forms;
  }
  const meaningful = column.meaningful;
  if (meaningful.join(' ') !== column.parts.join(' ')) forms.push([meaningful, 0.95]);
  // `concert_Name` in `concert` is "name"; `Singer_ID` in `singer` is "id".
  if (ownPrefix) forms.push([column.parts.slice(tableStems.length), 0.95]);
  // The head and its closest modifiers: `Song_release_year` is a "release year" and a "year".
  for (let k = meaningful.length - 1; k >= 1; k--) forms.push([meaningful.slice(-k), 0.55 + 0.1 * k]);
  // "form of government" is `GovernmentForm`: English puts a modifier after "of".
  // Not when the head is an operation word: "number of apartments" is a count, not `apt_number`.
  if (meaningful.length === 2 && !STRUCTURAL_STEMS.has(meaningful[1]!)) forms.push([[meaningful[1]!, 'of', meaningful[0]!], 0.95]);
  return forms;
}

/**
 * A column's leading word alone ("government" for `GovernmentForm`), only when no other
 * column of its table starts with it: `Song_Name` and `Song_release_year` share "song".
 */
function modifierForms(table: TableEntry): Map<ColumnEntry, [string[], number][]> {
  const out = new Map<ColumnEntry, [string[], number][]>();
  const firsts = new Map<string, ColumnEntry[]>();
  for (const column of table.columns) {
    if (column.isKey || column.meaningful.length < 2) continue;
    const first = column.meaningful[0]!;
    if (table.stems.includes(first)) continue;
    firsts.set(first, [...(firsts.get(first) ?? []), column]);
  }
  for (const [first, columns] of firsts) if (columns.length === 1) out.set(columns[0]!, [[[first], 0.65]]);
  return out;
}

function tableForms(table: TableEntry): [string[], number][] {
  const forms: [string[], number][] = [[table.stems, 1]];
  const meaningful = table.stems.filter((s) => !TABLE_FILLER_PARTS.has(s));
  if (meaningful.length > 0 && meaningful.length < table.stems.length) forms.push([meaningful, 0.95]);
  if (meaningful.length > 1) forms.push([meaningful.slice(-1), 0.7]);
  return forms;
}

interface NameForms {
  tables: { table: TableEntry; forms: [string[], number][] }[];
  columns: { column: ColumnEntry; forms: [string[], number][] }[];
}

const nameForms = cachedPer((index: SchemaIndex): NameForms => ({
  tables: index.tables.map((table) => ({ table, forms: tableForms(table) })),
  columns: index.tables.flatMap((table) => {
    const modifiers = modifierForms(table);
    return table.columns.map((column) => ({ column, forms: [...columnForms(column), ...(modifiers.get(column) ?? [])] }));
  }),
}));

/** Every meaning of the words `from` up to `to`, best first. */
export function meaningsOf(words: Word[], from: number, to: number, index: SchemaIndex, found?: ValueIndex): Meaning[] {
  const span = words.slice(from, to);
  if (span.length === 0 || span.some((w) => w.kind === 'date')) return [];
  const first = span[0]!;
  const last = span[span.length - 1]!;
  const out: Meaning[] = [];
  if (first.kind === 'quoted') {
    if (span.length === 1) {
      for (const ref of valueIndex(index).lookup(first.raw, true, true)) out.push({ k: 'value', ...ref, score: 1 });
      for (const ref of found?.lookup(first.raw, true) ?? []) out.push({ k: 'value', ...ref, score: 1 });
    }
    return out;
  }
  // A stretch never starts or ends on a function word ("the type" is "type"); "US" is a name, not "us".
  const isFunction = (w: Word) => NAME_STOP_WORDS.has(w.lower) && !(w.proper && w.raw.length > 1 && w.raw === w.raw.toUpperCase());
  if (isFunction(first) || isFunction(last)) return out;
  if (span.some((w) => w.kind === 'quoted')) return out;
  // Numbers may be part of a name (`line_1`), never all of it.
  const named = first.kind === 'word' && span.every((w) => w.kind === 'word' || w.kind === 'number');
  if (named && !(span.length === 1 && STRUCTURAL_WORDS.has(first.lower))) {
    const stems = span.map((w) => w.stem);
    const forms = nameForms(index);
    for (const { table, forms: list } of forms.tables) {
      const score = Math.max(0, ...list.map(([name, weight]) => spell(stems, name) * weight));
      if (score >= 0.5) out.push({ k: 'table', table, score });
    }
    for (const { column, forms: list } of forms.columns) {
      // A glossary term is its whole phrase: "released" is not "release date", however alike.
      if (column.info.defined) {
        if (stems.join('') === column.parts.join('')) out.push({ k: 'column', column, score: 1 });
        continue;
      }
      const score = Math.max(0, ...list.map(([name, weight]) => spell(stems, name) * weight));
      if (score >= 0.5) out.push({ k: 'column', column, score });
    }
  }
  const text = span.map((w) => w.raw).join(' ');
  // Names, cities and codes are matched when written as such: capitalised, several words, or a code.
  const asName = span.length > 1 || first.proper || /\d/.test(text);
  const values = valueIndex(index);
  for (const ref of values.lookup(text, asName)) out.push({ k: 'value', ...ref, score: ref.listed ? 1 : 0.9 });
  for (const ref of found?.lookup(text, asName) ?? [])
    if (!out.some((m) => m.k === 'value' && m.column === ref.column)) out.push({ k: 'value', ...ref, score: 0.9 });
  if (span.length === 1 && first.kind === 'word' && first.lower.length >= 4 && !out.some((m) => m.k === 'value')) {
    // "French singers", "Asian countries": the place an adjective pertains to, when the data holds it.
    for (const noun of wordnet.pertainyms(first.lower)) {
      for (const ref of values.lookup(noun, true)) out.push({ k: 'value', ...ref, score: 0.85 });
    }
    // "female students" over a sex column holding F and M: the codes everyone writes.
    const codes = SEX_CODES[first.lower] ?? [];
    for (const table of codes.length > 0 ? index.tables : []) {
      for (const column of table.columns) {
        if (!column.meaningful.some((p) => SEX_COLUMN_WORDS.has(p))) continue;
        const value = column.info.values?.find((v) => codes.includes(v.toLowerCase()));
        if (value) out.push({ k: 'value', column, value, score: 0.85 });
      }
    }
  }
  // On a tie a column beats its table ("allergy type" is `AllergyType` in `Allergy_Type`), and a
  // table beats a value spelled the same ("nurses" are the rows of `Nurse`, not Position = 'Nurse').
  const rank = { column: 0, table: 1, value: 2 } as const;
  return out.sort((a, b) => b.score - a.score || rank[a.k] - rank[b.k]);
}

export type Element = { k: 'word'; word: Word } | { k: 'mention'; meaning: Meaning; text: string; length: number; others: Meaning[] };

/** How much a mention of each kind says about which table the question is on. */
const KIND_WEIGHT = { table: 1.5, value: 1.2, column: 1 } as const;
/** A word that names only another table's things counts against this table. */
const FOREIGN_PENALTY = 1;

/** Every stretch's meanings, computed once per question and shared by every table tried. */
export class SpanMeanings {
  private readonly memo = new Map<number, Meaning[]>();

  constructor(
    readonly words: Word[],
    private readonly index: SchemaIndex,
    /** Names found by a warehouse lookup, beside the index's own values. */
    private readonly found?: ValueIndex,
  ) {}

  of(from: number, to: number): Meaning[] {
    const key = from * (MAX_SPAN + 1) + (to - from);
    let meanings = this.memo.get(key);
    if (!meanings) {
      meanings = meaningsOf(this.words, from, to, this.index, this.found);
      this.memo.set(key, meanings);
    }
    return meanings;
  }
}

/**
 * The question as elements for one table: the segmentation into stretches that explains
 * the most of it (each stretch scored by its best meaning in `table`, times its length);
 * a word that only names another table's things is kept with that meaning so the ledger
 * can say it cannot be used here.
 */
export function elementsFor(spans: SpanMeanings, table: TableEntry): { elements: Element[]; score: number } {
  const words = spans.words;
  const n = words.length;
  const best: { score: number; length: number; meaning?: Meaning; others: Meaning[] }[] = new Array(n + 1);
  best[n] = { score: 0, length: 0, others: [] };
  for (let i = n - 1; i >= 0; i--) {
    const single = spans.of(i, i + 1);
    const foreign = single[0] && single[0].score >= 0.9 && !single.some((m) => tableOf(m) === table) ? single[0] : undefined;
    let choice = foreign
      ? { score: best[i + 1]!.score - FOREIGN_PENALTY, length: 1, meaning: foreign, others: single.slice(1) }
      : { score: best[i + 1]!.score, length: 1, others: [] as Meaning[] };
    for (let length = 1; length <= Math.min(MAX_SPAN, n - i); length++) {
      const meanings = length === 1 ? single : spans.of(i, i + length);
      const own = meanings.find((m) => tableOf(m) === table);
      if (!own) continue;
      // Several words naming one thing say more than the same words naming several things.
      const score = KIND_WEIGHT[own.k] * own.score * (1.5 * length - 0.5) + best[i + length]!.score;
      // Ties go to the longer stretch: "student id" is one column, not a table and a word.
      if (score > choice.score || (score === choice.score && length > choice.length)) {
        choice = { score, length, meaning: own, others: meanings.filter((m) => m !== own) };
      }
    }
    best[i] = choice;
  }
  const elements: Element[] = [];
  for (let i = 0; i < n;) {
    const step = best[i]!;
    if (step.meaning) {
      const text = words
        .slice(i, i + step.length)
        .map((w) => w.raw)
        .join(' ');
      elements.push({ k: 'mention', meaning: step.meaning, text, length: step.length, others: step.others });
    } else {
      elements.push({ k: 'word', word: words[i]! });
    }
    i += step.length;
  }
  return { elements, score: best[0]!.score };
}

export function tableOf(meaning: Meaning): TableEntry {
  return meaning.k === 'table' ? meaning.table : meaning.column.table;
}
