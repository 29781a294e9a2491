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

/**
 * Kept for every bucket a worker serves, so it is packed: a bucket's sampled names and
 * emails are over a thousand keys, and a Map of keys to arrays of small objects held
 * this index at about 200 kB of heap a demo bucket, the most a worker kept per bucket
 * after its sandbox. Here the keys, sorted, are one string with their offsets, found by
 * binary search; each key's values are a run of (column, value) numbers, turned into
 * ValueRefs only when looked up: about 70 kB (the engine's indexes together went from
 * 240 to 110 kB, `pnpm bench:bucket-memory`).
 */
function buildValueIndex(index: SchemaIndex): ValueIndex {
  // Packed in a function of its own: a closure here would keep the whole build scope, Map and all.
  const packed = packValues(index);
  return {
    lookup(text, asName, exact = false) {
      const key = valueKey(text);
      if (key.length < 2) return [];
      let found = findKey(packed, key);
      if (found < 0 && asName && !exact && key.length >= 6) {
        // "Carribean" for Caribbean: one slip in a long name still names it.
        const near = nearKeys(packed, key);
        if (near.length === 1) found = near[0]!;
      }
      if (found < 0) return [];
      let out = refsOf(packed, found);
      if (!asName && !key.includes(' ')) out = out.filter((r) => sameWord(text, r.value));
      return out.filter((r) => r.listed || asName);
    },
  };
}

function packValues(index: SchemaIndex): PackedValues {
  const columns = index.tables.flatMap((table) => table.columns);
  // Built in a Map, as before, then packed: the same keys, and each key's values in the same order.
  const byKey = new Map<string, number[]>();
  const add = (column: number, place: number, value: string, listed: boolean) => {
    // packRef keeps a value's place in 20 bits; the schema reader lists far fewer (50 listed, 5,000 sampled).
    if (place >= MAX_VALUES) return;
    const key = valueKey(value);
    if (key.length < 2) return;
    const ref = packRef(column, place, listed);
    const list = byKey.get(key);
    // Once per column and spelling, whichever list holds it.
    const same = (other: number) => {
      const seen = unpackRef(columns, other);
      return seen.column === columns[column] && seen.value === value;
    };
    if (!list) byKey.set(key, [ref]);
    else if (!list.some(same)) list.push(ref);
  };
  columns.forEach((column, c) => {
    column.info.values?.forEach((value, v) => add(c, v, value, true));
    column.info.lookup?.forEach((value, v) => add(c, v, value, false));
  });
  const keys = [...byKey.keys()].sort();
  const offsets = new Uint32Array(keys.length + 1);
  const starts = new Uint32Array(keys.length + 1);
  const refs = new Float64Array([...byKey.values()].reduce((sum, list) => sum + list.length, 0));
  let chars = 0;
  let at = 0;
  keys.forEach((key, i) => {
    offsets[i] = chars;
    chars += key.length;
    starts[i] = at;
    for (const ref of byKey.get(key)!) refs[at++] = ref;
  });
  offsets[keys.length] = chars;
  starts[keys.length] = at;
  return { text: keys.join(''), offsets, starts, refs, columns };
}

interface PackedValues {
  /** The sorted keys, run together; key i is text[offsets[i], offsets[i + 1]). */
  text: string;
  offsets: Uint32Array;
  /** Key i's values are refs[starts[i], starts[i + 1]). */
  starts: Uint32Array;
  /** Each a packRef: a column, a value's place in its list, and which list. */
  refs: Float64Array;
  columns: ColumnEntry[];
}

/** Values a column's list may hold for the index: a value's place is 20 bits of a packRef. */
const MAX_VALUES = 2 ** 20;

/** A column's number, a value's place in its list, and whether the list is `values` (listed) or `lookup`, as one number. */
function packRef(column: number, value: number, listed: boolean): number {
  return (column * MAX_VALUES + value) * 2 + (listed ? 1 : 0);
}

function unpackRef(columns: ColumnEntry[], ref: number): ValueRef {
  const listed = ref % 2 === 1;
  const rest = Math.floor(ref / 2);
  const column = columns[Math.floor(rest / MAX_VALUES)]!;
  const value = (listed ? column.info.values : column.info.lookup)![rest % MAX_VALUES]!;
  return { column, value, listed };
}

function refsOf(packed: PackedValues, key: number): ValueRef[] {
  const out: ValueRef[] = [];
  for (let i = packed.starts[key]!; i < packed.starts[key + 1]!; i++) out.push(unpackRef(packed.columns, packed.refs[i]!));
  return out;
}

function keyAt(packed: PackedValues, i: number): string {
  return packed.text.slice(packed.offsets[i], packed.offsets[i + 1]);
}

/** Key `i` compared with `key`, as the sort that ordered them (UTF-16 code units). */
function compareKey(packed: PackedValues, i: number, key: string): number {
  const { text, offsets } = packed;
  const start = offsets[i]!;
  const length = offsets[i + 1]! - start;
  for (let j = 0; j < length && j < key.length; j++) {
    const diff = text.charCodeAt(start + j) - key.charCodeAt(j);
    if (diff !== 0) return diff;
  }
  return length - key.length;
}

function keyCount(packed: PackedValues): number {
  return packed.offsets.length - 1;
}

/** The first key for which `below` is false, the keys being sorted so that it is true of a prefix of them. */
function firstKeyNotBelow(packed: PackedValues, below: (i: number) => boolean): number {
  let low = 0;
  let high = keyCount(packed);
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (below(mid)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The number of `key`, or -1. */
function findKey(packed: PackedValues, key: string): number {
  const at = firstKeyNotBelow(packed, (i) => compareKey(packed, i, key) < 0);
  return at < keyCount(packed) && compareKey(packed, at, key) === 0 ? at : -1;
}

/** The first letter of key `i`. */
function firstOf(packed: PackedValues, i: number): number {
  return packed.text.charCodeAt(packed.offsets[i]!);
}

/** Keys one slip away from `key` that begin with its letter: sorted together, after the first key not below that letter. */
function nearKeys(packed: PackedValues, key: string): number[] {
  const first = key.charCodeAt(0);
  const count = keyCount(packed);
  const near: number[] = [];
  for (let i = firstKeyNotBelow(packed, (at) => firstOf(packed, at) < first); i < count && firstOf(packed, i) === first; i++) {
    const length = packed.offsets[i + 1]! - packed.offsets[i]!;
    if (Math.abs(length - key.length) <= 1 && editDistanceAtMostOne(keyAt(packed, i), key)) near.push(i);
  }
  return near;
}
