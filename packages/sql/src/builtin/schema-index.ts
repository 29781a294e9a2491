/**
 * Everything the parser looks up about one warehouse, built once per SchemaContext
 * object: name keys for tables and columns, the listed values of text columns, the
 * roles columns play (key, label, measure, date) and the join paths along foreign keys.
 */
import type { ColumnInfo, ColumnKind, SchemaContext, TableInfo } from '@flock/schema';
import {
  BOOKKEEPING_TIME_WORDS,
  BOOLEAN_PREFIXES,
  EVENT_TIME_WORDS,
  FUNCTION_WORDS,
  GENERIC_NAME_PARTS,
  LABEL_WORDS,
  MONEY_WORDS,
  synonymsOf,
} from './lexicon';
import { nameParts, rootOf, stem } from '../text/tokenize';

export interface ColumnEntry {
  table: TableEntry;
  info: ColumnInfo;
  name: string;
  kind: ColumnKind;
  /** Stems of every word of the name. */
  parts: string[];
  /** Stems without generic words (`at`, `id`, `is` ...): what a question would say. */
  meaningful: string[];
  isKey: boolean;
  isNumeric: boolean;
  isTemporal: boolean;
  isBoolean: boolean;
  isText: boolean;
  values: ValueEntry[];
}

export interface ValueEntry {
  column: ColumnEntry;
  /** Spelled exactly as in the data. */
  value: string;
  words: number;
}

/** One many-to-one step: each `child` row points at one `parent` row. */
export interface ParentLink {
  child: TableEntry;
  parent: TableEntry;
  childColumns: string[];
  parentColumns: string[];
}

export interface TableEntry {
  info: TableInfo;
  name: string;
  order: number;
  stems: string[];
  columns: ColumnEntry[];
  /** Declared primary key, or an `id` column when none is declared. */
  key: ColumnEntry[];
  parents: ParentLink[];
  /** Columns that name a row for people (name, title, first + last name); may be empty. */
  labels: ColumnEntry[];
  /** Numeric non-key columns, the most likely "amount" first. */
  measures: ColumnEntry[];
  /** Date and timestamp columns, the most likely "when it happened" first. */
  temporals: ColumnEntry[];
  /** How much the table looks like it holds people (names, email, birth date). */
  personScore: number;
}

export type TermKind = 'table' | 'column';

export interface Term {
  kind: TermKind;
  table: TableEntry;
  column?: ColumnEntry;
  /** 1 for the full name, lower for a name part, root or synonym. */
  score: number;
}

export interface SchemaIndex {
  tables: TableEntry[];
  /** Name keys (stems joined by spaces, or run together) → what they may mean. */
  terms: Map<string, Term[]>;
  /** Value keys (stems joined by spaces) → the values they spell. */
  values: Map<string, ValueEntry[]>;
  maxTermWords: number;
  maxValueWords: number;
  /** Each table's main money column, for "spent", "revenue" and the like. */
  moneyTerms: Term[];
  /** Tables reachable from `from` through parent links, with the links to follow. */
  pathsFrom(from: TableEntry): Map<TableEntry, ParentLink[]>;
}

/**
 * `build` run once per object and kept while the object lives: what is derived from one
 * schema or index (its index, name forms, value index) is built on first use and shared.
 */
export function cachedPer<K extends object, V>(build: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = build(key);
      cache.set(key, value);
    }
    return value;
  };
}

/** The index of `schema`, built on first use; SchemaContext objects are cached per bucket upstream. */
export const schemaIndex: (schema: SchemaContext) => SchemaIndex = cachedPer(buildIndex);

/** How far join paths may reach: a fact, its parent and grandparent cover star and snowflake schemas. */
const MAX_JOIN_DEPTH = 3;

function buildIndex(schema: SchemaContext): SchemaIndex {
  const tables = schema.tables.map((info, order) => tableEntry(info, order));
  const byName = new Map(tables.map((table) => [table.name, table]));
  for (const table of tables) linkParents(table, tables, byName);
  for (const table of tables) classify(table);

  const terms = new Map<string, Term[]>();
  const values = new Map<string, ValueEntry[]>();
  let maxTermWords = 1;
  let maxValueWords = 1;
  const addTerm = (key: string, term: Term) => {
    if (key.length === 0) return;
    maxTermWords = Math.max(maxTermWords, key.split(' ').length);
    const list = terms.get(key);
    const same = list?.find((t) => t.table === term.table && t.column === term.column);
    if (same) same.score = Math.max(same.score, term.score);
    else if (list) list.push(term);
    else terms.set(key, [term]);
  };

  for (const table of tables) {
    for (const [key, score] of nameKeys(table.stems, table.stems, false)) addTerm(key, { kind: 'table', table, score });
    for (const column of table.columns) {
      // A glossary column is known by its whole name only: no part, root or synonym of it.
      const keys: Iterable<[string, number]> = column.info.defined
        ? [[column.parts.join(' '), 1]]
        : column.isKey
          ? keyColumnKeys(column)
          : nameKeys(column.parts, column.meaningful, column.isBoolean);
      for (const [key, score] of keys) addTerm(key, { kind: 'column', table, column, score });
      for (const value of column.values) {
        const words = valueWords(value.value);
        if (words.length === 0) continue;
        if (words.length === 1 && (FUNCTION_WORDS.has(words[0] ?? '') || (words[0] ?? '').length < 2)) continue;
        const spaced = words.map(stem).join(' ');
        maxValueWords = Math.max(maxValueWords, words.length);
        for (const key of new Set([spaced, words.map(stem).join('')])) {
          // An array of one for a new key, not `[]` and a push, which reserves room for 17.
          const list = values.get(key);
          if (list) list.push(value);
          else values.set(key, [value]);
        }
      }
    }
  }

  const moneyTerms: Term[] = [];
  for (const table of tables) {
    const main = table.measures[0];
    if (main && (main.kind === 'decimal' || main.kind === 'float' || main.meaningful.some((p) => MONEY_WORDS.has(p)))) {
      moneyTerms.push({ kind: 'column', table, column: main, score: 0.7 });
    }
  }

  const pathCache = new Map<TableEntry, Map<TableEntry, ParentLink[]>>();
  return {
    tables,
    terms,
    values,
    maxTermWords,
    maxValueWords,
    moneyTerms,
    pathsFrom(from) {
      let paths = pathCache.get(from);
      if (!paths) {
        paths = parentPaths(from);
        pathCache.set(from, paths);
      }
      return paths;
    },
  };
}

export function valueWords(value: string): string[] {
  // Possessive 's goes, as the tokenizer drops it from questions: "Children's Ward" → children ward.
  return value
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

function tableEntry(info: TableInfo, order: number): TableEntry {
  const table: TableEntry = {
    info,
    name: info.name,
    order,
    stems: nameParts(info.name).map(stem),
    columns: [],
    key: [],
    parents: [],
    labels: [],
    measures: [],
    temporals: [],
    personScore: 0,
  };
  const fkColumns = new Set(info.foreignKeys.flatMap((fk) => fk.columns));
  for (const col of info.columns) {
    const parts = nameParts(col.name).map(stem);
    let meaningful = parts.filter((part) => !GENERIC_NAME_PARTS.has(part));
    if (col.kind === 'boolean' && parts.length > 1 && BOOLEAN_PREFIXES.has(parts[0] ?? '')) {
      meaningful = parts.slice(1).filter((part) => !GENERIC_NAME_PARTS.has(part));
    }
    const lastPart = parts[parts.length - 1];
    const isKey =
      col.name.toLowerCase() === 'id' ||
      info.primaryKey.includes(col.name) ||
      fkColumns.has(col.name) ||
      (lastPart === 'id' && parts.length > 1) ||
      meaningful.length === 0;
    const column: ColumnEntry = {
      table,
      info: col,
      name: col.name,
      kind: col.kind,
      parts,
      meaningful: meaningful.length > 0 ? meaningful : parts,
      isKey,
      isNumeric: col.kind === 'integer' || col.kind === 'decimal' || col.kind === 'float',
      isTemporal: col.kind === 'date' || col.kind === 'timestamp',
      isBoolean: col.kind === 'boolean',
      isText: col.kind === 'text',
      values: [],
    };
    column.values = (col.values ?? []).map((value) => ({ column, value, words: valueWords(value).length }));
    table.columns.push(column);
  }
  const declared = info.primaryKey.map((name) => table.columns.find((c) => c.name === name)).filter(isDefined);
  const idColumn = table.columns.find((c) => c.name.toLowerCase() === 'id');
  table.key = declared.length > 0 ? declared : idColumn ? [idColumn] : [];
  return table;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/**
 * Declared foreign keys, plus `<table>_id` columns whose prefix names a table with a
 * one-column key: many warehouses are loaded without constraints, and the naming
 * convention is the only trace of the relationship.
 */
function linkParents(table: TableEntry, tables: TableEntry[], byName: Map<string, TableEntry>): void {
  const covered = new Set<string>();
  for (const fk of table.info.foreignKeys) {
    const parent = byName.get(fk.referencedTable) ?? tables.find((t) => t.name.toLowerCase() === fk.referencedTable.toLowerCase());
    if (!parent) continue;
    const parentColumns = fk.referencedColumns.length > 0 ? fk.referencedColumns : parent.key.map((c) => c.name);
    if (parentColumns.length !== fk.columns.length) continue;
    table.parents.push({ child: table, parent, childColumns: [...fk.columns], parentColumns: [...parentColumns] });
    for (const column of fk.columns) covered.add(column);
  }
  for (const column of table.columns) {
    if (covered.has(column.name) || column.parts.length < 2 || column.parts[column.parts.length - 1] !== 'id') continue;
    const prefix = column.parts.slice(0, -1);
    const key = prefix.join(' ');
    const parent = tables.find(
      (t) => t !== table && t.key.length === 1 && (t.stems.join(' ') === key || (prefix.length === 1 && rootOf(t.stems.join('')) === key)),
    );
    const parentKey = parent?.key[0];
    if (!parent || !parentKey) continue;
    table.parents.push({ child: table, parent, childColumns: [column.name], parentColumns: [parentKey.name] });
  }
}

function classify(table: TableEntry): void {
  const textColumns = table.columns.filter((c) => c.isText && !c.isKey && !c.info.defined);
  const named = (word: string) => textColumns.find((c) => c.parts.length === 1 && c.parts[0] === stem(word));
  const first = textColumns.find((c) => c.parts.join(' ') === `${stem('first')} ${stem('name')}`);
  const last = textColumns.find((c) => c.parts.join(' ') === `${stem('last')} ${stem('name')}`);
  const exact = ['name', 'title', 'label', 'username'].map(named).find(isDefined);
  const fullName = textColumns.find((c) =>
    ['full name', 'display name'].map((n) => n.split(' ').map(stem).join(' ')).includes(c.parts.join(' ')),
  );
  const ending = textColumns.find(
    (c) => c.parts.length > 1 && LABEL_WORDS.has(c.parts[c.parts.length - 1] ?? '') && c !== first && c !== last,
  );
  if (exact) table.labels = [exact];
  else if (fullName) table.labels = [fullName];
  else if (first && last) table.labels = [first, last];
  else if (ending) table.labels = [ending];
  else if (first ?? last) table.labels = [(first ?? last)!];

  // A glossary column stands in only where a question names it, never as the table's default.
  table.measures = table.columns
    .filter((c) => c.isNumeric && !c.isKey && !c.info.defined)
    .map((c) => ({ c, score: measureScore(c) }))
    .filter(({ score }) => score > -5)
    .sort((a, b) => b.score - a.score)
    .map(({ c }) => c);

  const tableRoot = rootOf(table.stems.join(''));
  table.temporals = table.columns
    .filter((c) => c.isTemporal && !c.info.defined)
    .map((c, i) => {
      let score = -i * 0.01;
      if (c.meaningful.some((p) => p === tableRoot || table.stems.includes(p) || rootOf(p) === tableRoot)) score += 3;
      if (c.meaningful.some((p) => EVENT_TIME_WORDS.has(p))) score += 1;
      if (c.meaningful.some((p) => BOOKKEEPING_TIME_WORDS.has(p))) score -= 2;
      return { c, score };
    })
    .sort((a, b) => b.score - a.score)
    .map(({ c }) => c);

  let person = 0;
  for (const c of table.columns) {
    const joined = c.parts.join(' ');
    if (joined === 'email' || joined === 'email address') person += 2;
    if (c === first || c === last) person += 2;
    if (['phone', 'birth', 'dob', 'gender'].some((w) => c.parts.includes(stem(w)))) person += 1;
  }
  table.personScore = person;
}

function measureScore(column: ColumnEntry): number {
  let score = column.kind === 'decimal' ? 3 : column.kind === 'float' ? 2 : 1;
  if (column.meaningful.some((p) => MONEY_WORDS.has(p))) score += 3;
  // A year or sequence number is numeric but never something to total.
  if (
    column.meaningful.some((p) =>
      ['year', 'month', 'day', 'week', 'version', 'rank', 'position', 'zip', 'postcode', 'phone', 'code'].includes(p),
    )
  )
    score -= 6;
  return score;
}

/** The keys a table or non-key column is found under, with how sure each is. */
function nameKeys(parts: string[], meaningful: string[], isBoolean: boolean): [string, number][] {
  const keys: [string, number][] = [];
  const add = (words: string[], score: number) => {
    if (words.length === 0) return;
    keys.push([words.join(' '), score]);
    if (words.length > 1) keys.push([words.join(''), score * 0.95]);
    const root = [...words.slice(0, -1), rootOf(words[words.length - 1] ?? '')];
    if (root.join(' ') !== words.join(' ')) keys.push([root.join(' '), score * 0.75]);
  };
  add(parts, 1);
  if (meaningful.join(' ') !== parts.join(' ')) add(meaningful, isBoolean ? 1 : 0.9);
  if (meaningful.length > 1) {
    const head = meaningful[meaningful.length - 1] ?? '';
    add([head], 0.6);
    for (const modifier of meaningful.slice(0, -1)) add([modifier], 0.35);
    for (const synonym of synonymsOf(head)) keys.push([synonym, 0.45]);
  } else if (meaningful.length === 1) {
    for (const synonym of synonymsOf(meaningful[0] ?? '')) keys.push([synonym, 0.55]);
  }
  return keys;
}

/** Key columns are found only by their whole name ("customer id"), never by a part. */
function keyColumnKeys(column: ColumnEntry): [string, number][] {
  const keys: [string, number][] = [[column.parts.join(' '), 0.8]];
  if (column.parts.length > 1) keys.push([column.parts.join(''), 0.75]);
  return keys;
}

function parentPaths(from: TableEntry): Map<TableEntry, ParentLink[]> {
  const paths = new Map<TableEntry, ParentLink[]>([[from, []]]);
  let frontier: TableEntry[] = [from];
  for (let depth = 0; depth < MAX_JOIN_DEPTH; depth++) {
    const next: TableEntry[] = [];
    for (const table of frontier) {
      const base = paths.get(table) ?? [];
      for (const link of table.parents) {
        if (paths.has(link.parent)) continue;
        paths.set(link.parent, [...base, link]);
        next.push(link.parent);
      }
    }
    frontier = next;
  }
  return paths;
}
