/**
 * What every phase of the planner shares: the roles read from a question, and small
 * readings of its items (is this a cue, a table word, a plural).
 */
import type { AggFn, Cue, Grain } from '../lexicon';
import type { Item } from '../parse';
import type { QueryPlan, Shape } from '../query-plan';
import type { SchemaIndex, TableEntry, Term } from '../schema-index';

export type RefItem = Extract<Item, { k: 'ref' }>;
export type ValueItem = Extract<Item, { k: 'value' }>;

export const PREFIX = 'Could not generate a query for that question';

export interface GroupSpec {
  at: number;
  grain?: Grain;
  /** Ref item index of the grouped column or entity. */
  ref?: number;
  qualifier?: TableEntry;
}

export interface RankSpec {
  /** Ref item index of what is ranked, or 'person'. */
  entity: number | 'person';
  entityQualifier?: TableEntry;
  measureRefs: number[];
  aggFn?: AggFn;
  countish: boolean;
  temporal: boolean;
  dir: 'ASC' | 'DESC';
  limit: number;
  /** "the email of the newest customer": a column to show instead of the label. */
  show?: number;
}

export interface Roles {
  shape: Shape;
  /** Refs that say what is counted, totalled or listed (in question order). */
  focus: number[];
  focusPerson: boolean;
  /** Refs the focus refs are qualified by ("book" in "book genre"). */
  qualifiers: Map<number, TableEntry>;
  aggFn?: AggFn | 'count';
  temporalAgg: boolean;
  rank?: RankSpec;
  groups: GroupSpec[];
  /** distinct / list: refs naming the columns to show. */
  showRefs: number[];
  used: Set<number>;
}

export interface Resolved {
  plan: QueryPlan;
  score: number;
  joins: number;
  problems: string[];
}

export function tablesHint(index: SchemaIndex): string {
  const names = index.tables.map((t) => t.name);
  return `This warehouse has the tables ${names.join(', ')}; try naming one of them or one of their columns.`;
}

export function isCue(item: Item | undefined, ...kinds: Cue['k'][]): item is Extract<Item, { k: 'cue' }> {
  return item?.k === 'cue' && kinds.includes(item.cue.k);
}

export function bestScore(terms: Term[], accept: (t: Term) => boolean = () => true): number {
  let best = 0;
  for (const t of terms) if (accept(t) && t.score > best) best = t.score;
  return best;
}

/** Items that end the stretch of words describing what is counted or totalled. */
export function isBreak(item: Item | undefined): boolean {
  if (!item) return true;
  if (item.k === 'time' || item.k === 'compare' || item.k === 'range' || item.k === 'grain') return true;
  return isCue(item, 'group', 'which', 'who', 'list', 'has', 'count', 'agg', 'super', 'popular', 'top', 'when');
}

export function refsBetween(items: Item[], from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to && i < items.length; i++) if (items[i]?.k === 'ref') out.push(i);
  return out;
}

/** Ref indexes after `start` up to the next break; values and "of" do not break. */
export function scopeAfter(items: Item[], start: number): number[] {
  const out: number[] = [];
  for (let i = start + 1; i < items.length; i++) {
    const item = items[i];
    if (isBreak(item)) break;
    if (item?.k === 'ref') out.push(i);
  }
  return out;
}

export function isTableRef(item: Item | undefined): item is RefItem {
  return item?.k === 'ref' && item.terms.some((t) => t.kind === 'table' && t.score >= 0.7);
}

export function isPlural(text: string): boolean {
  const last = text.toLowerCase().split(' ').pop() ?? '';
  return /[^s]s$/.test(last) || last === 'people';
}

export function hasNumericColumn(ref: RefItem | undefined): boolean {
  return !!ref && ref.terms.some((t) => t.column?.isNumeric && !t.column.isKey);
}

export function isFlagRef(ref: RefItem): boolean {
  return bestScore(ref.terms, (t) => !!t.column?.isBoolean) >= bestScore(ref.terms, (t) => !t.column?.isBoolean);
}

/** A column rather than a table: "cities" names customer.city, not a table. */
export function isColumnFocus(ref: RefItem): boolean {
  const table = bestScore(ref.terms, (t) => t.kind === 'table');
  const column = bestScore(ref.terms, (t) => t.kind === 'column' && !t.column!.isKey && !t.column!.isBoolean);
  return column > table && column >= 0.6;
}
