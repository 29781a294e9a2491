/**
 * Values the question may name, from the data: the listed values of category columns
 * (`values`) and the bounded sample of names, cities and codes of the others (`lookup`),
 * read with the schema and cached with it until the warehouse file changes. Matching is
 * case-insensitive, on word stems (so plurals meet), and forgives one slip in a long word.
 */
import type { FoundValue } from '@flock/schema';
import { cachedPer, valueWords, type ColumnEntry, type SchemaIndex } from '../schema-index';
import { stem } from '../../text/tokenize';
import { editDistanceAtMostOne } from './similarity';
import { readWords } from './words';

export interface ValueRef {
  column: ColumnEntry;
  /** Spelled exactly as in the data. */
  value: string;
  /** A category value (few distinct values), rather than one of many names. */
  listed: boolean;
}

export interface ValueIndex {
  /**
   * Values spelled by `text`; names (not listed values) only when `asName`; with `exact`
   * (a quoted literal) no spelling slip is forgiven.
   */
  lookup(text: string, asName: boolean, exact?: boolean): ValueRef[];
}

/**
 * A plain lower-case word names a listed value only as itself or its plural: "shipping"
 * must not become the value Ship through the stemmer, but "cats" is still Cat.
 */
function sameWord(text: string, value: string): boolean {
  const [a, b] = [text.toLowerCase(), value.toLowerCase()];
  return a === b || a === `${b}s` || a === `${b}es` || b === `${a}s` || (a.endsWith('ies') && b === `${a.slice(0, -3)}y`);
}

/** Words of a value or of question text, as keys: the schema index's value words, stemmed. */
export function valueKey(text: string): string {
  return valueWords(text).map(stem).join(' ');
}

/**
 * Names a question types, to look up where the data has too many to list: each run of
 * capitalised words and each quoted literal ("Zed Quux", 'HHH'), at most 8.
 */
export function typedNames(question: string): string[] {
  const names: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length > 0 && run.length <= 4) names.push(run.join(' '));
    run = [];
  };
  for (const w of readWords(question)) {
    if (w.kind === 'quoted') {
      flush();
      names.push(w.raw);
    } else if (w.proper && w.kind === 'word') run.push(w.raw);
    else flush();
  }
  flush();
  return [...new Set(names)].slice(0, 8);
}

/** Values found in the warehouse by a lookup, as an index over the schema's columns. */
export function foundValueIndex(index: SchemaIndex, found: FoundValue[]): ValueIndex {
  const byKey = new Map<string, ValueRef[]>();
  for (const f of found) {
    const column = index.tables.find((t) => t.name === f.table)?.columns.find((c) => c.name === f.column);
    if (!column) continue;
    const key = valueKey(f.value);
    byKey.set(key, [...(byKey.get(key) ?? []), { column, value: f.value, listed: false }]);
  }
  return { lookup: (text, asName) => (asName ? (byKey.get(valueKey(text)) ?? []) : []) };
}

/** The values of `index`'s schema, indexed once per index. */
export const valueIndex: (index: SchemaIndex) => ValueIndex = cachedPer(buildValueIndex);

function buildValueIndex(index: SchemaIndex): ValueIndex {
  const byKey = new Map<string, ValueRef[]>();
  const add = (column: ColumnEntry, value: string, listed: boolean) => {
    const key = valueKey(value);
    if (key.length < 2) return;
    const list = byKey.get(key);
    // A new key gets an array of one: `[]` then push reserves room for 17, and most keys
    // name one value. This index is kept for every bucket a worker serves.
    if (!list) byKey.set(key, [{ column, value, listed }]);
    else if (!list.some((r) => r.column === column && r.value === value)) list.push({ column, value, listed });
  };
  for (const table of index.tables) {
    for (const column of table.columns) {
      for (const value of column.info.values ?? []) add(column, value, true);
      for (const value of column.info.lookup ?? []) add(column, value, false);
    }
  }
  const keys = [...byKey.keys()];
  return {
    lookup(text, asName, exact = false) {
      const key = valueKey(text);
      if (key.length < 2) return [];
      let refs = byKey.get(key);
      if (refs && !asName && !key.includes(' ')) refs = refs.filter((r) => sameWord(text, r.value));
      if (!refs && asName && !exact && key.length >= 6) {
        // "Carribean" for Caribbean: one slip in a long name still names it.
        const near = keys.filter((k) => k[0] === key[0] && editDistanceAtMostOne(k, key));
        if (near.length === 1) refs = byKey.get(near[0]!);
      }
      return (refs ?? []).filter((r) => r.listed || asName);
    },
  };
}
