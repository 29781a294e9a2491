/**
 * What a question asks for, in schema terms and free of SQL spelling: the output of
 * interpretation and the input of rendering.
 */
import type { AggFn, CompareOp, Grain } from './lexicon';
import type { TimeSpec } from './parse';
import type { ColumnEntry, TableEntry } from './schema-index';

export type Measure = { fn: 'count' } | { fn: 'count-distinct'; columns: ColumnEntry[] } | { fn: AggFn; column: ColumnEntry };

export type Predicate =
  | { type: 'in'; column: ColumnEntry; values: string[]; negated: boolean }
  | { type: 'bool'; column: ColumnEntry; negated: boolean }
  | { type: 'time'; column: ColumnEntry; time: TimeSpec }
  | { type: 'compare'; column: ColumnEntry; op: CompareOp; value: number }
  | { type: 'range'; column: ColumnEntry; low: number; high: number };

export type GroupKey =
  | { type: 'column'; column: ColumnEntry }
  | { type: 'grain'; unit: Grain; column: ColumnEntry }
  /** A parent row: grouped by its key, shown by its label. */
  | { type: 'entity'; table: TableEntry };

export type Shape = 'aggregate' | 'list' | 'distinct' | 'rank-groups' | 'rank-rows';

export interface QueryPlan {
  shape: Shape;
  /** The table every row of the answer is counted or listed from. */
  fact: TableEntry;
  measure?: Measure;
  groups: GroupKey[];
  predicates: Predicate[];
  /** list / distinct / rank-rows: what to show. An entity of another table is shown by its label. */
  show?: { table: TableEntry; columns: ColumnEntry[] };
  /** rank-rows: the column to sort rows by. */
  orderBy?: ColumnEntry;
  direction?: 'ASC' | 'DESC';
  limit?: number;
}
