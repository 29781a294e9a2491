/**
 * Phase 4, resolving: every table is tried as the fact table; roles are placed on it and
 * its parents, and the reading that explains the most with the fewest joins scores best.
 */
import type { AggFn } from '../lexicon';
import type { Item } from '../parse';
import type { GroupKey, QueryPlan } from '../query-plan';
import type { ColumnEntry, SchemaIndex, TableEntry } from '../schema-index';
import { PLANNER_WEIGHTS as W } from './weights';
import { type RefItem, type ValueItem, type RankSpec, type Roles, type Resolved, isCue, bestScore, isPlural, isFlagRef } from './shared';

export function candidateFacts(items: Item[], roles: Roles, index: SchemaIndex): TableEntry[] {
  const set = new Set<TableEntry>();
  const focusRefs = roles.rank
    ? [...roles.rank.measureRefs, ...(typeof roles.rank.entity === 'number' ? [roles.rank.entity] : [])]
    : roles.focus;
  for (const i of focusRefs) {
    const item = items[i];
    if (item?.k !== 'ref') continue;
    for (const term of item.terms) set.add(term.table);
  }
  if (set.size === 0 || roles.focusPerson || roles.rank?.entity === 'person') {
    for (const table of index.tables) set.add(table);
  }
  // A parent can be counted or listed through a child that carries the filter.
  if (roles.shape === 'aggregate' || roles.shape === 'list' || roles.shape.startsWith('rank')) {
    for (const table of index.tables) {
      for (const target of [...set]) if (table !== target && index.pathsFrom(table).has(target)) set.add(table);
    }
  }
  return [...set].sort((a, b) => a.order - b.order);
}

interface Placed {
  column: ColumnEntry;
  hops: number;
  score: number;
}

class Resolver {
  score = 0;
  problems: string[] = [];
  tables = new Set<TableEntry>();

  constructor(
    readonly items: Item[],
    readonly roles: Roles,
    readonly index: SchemaIndex,
    readonly fact: TableEntry,
  ) {
    this.tables.add(fact);
  }

  hops(table: TableEntry): number | undefined {
    return this.index.pathsFrom(this.fact).get(table)?.length;
  }

  /** The best column of `ref` reachable from the fact table that `accept` allows. */
  place(refAt: number, accept: (c: ColumnEntry) => boolean, qualifier?: TableEntry): Placed | undefined {
    const ref = this.items[refAt];
    if (ref?.k !== 'ref') return undefined;
    const qual = qualifier ?? this.roles.qualifiers.get(refAt);
    let best: Placed | undefined;
    for (const term of ref.terms) {
      const column = term.column;
      if (!column || !accept(column)) continue;
      const hops = this.hops(column.table);
      if (hops === undefined) continue;
      if (qual && column.table !== qual) continue;
      const score = term.score - W.termPerHop * hops;
      if (!best || score > best.score) best = { column, hops, score };
    }
    return best;
  }

  use(placed: Placed, weight: number = W.column): ColumnEntry {
    this.score += weight * placed.score - W.columnPerHop * placed.hops;
    this.tables.add(placed.column.table);
    return placed.column;
  }

  problem(text: string): void {
    this.problems.push(text);
    this.score -= W.problem;
  }

  tableTerm(refAt: number): { table: TableEntry; score: number; hops: number } | undefined {
    const ref = this.items[refAt];
    if (ref?.k !== 'ref') return undefined;
    let best: { table: TableEntry; score: number; hops: number } | undefined;
    for (const term of ref.terms) {
      if (term.kind !== 'table') continue;
      const hops = this.hops(term.table);
      if (hops === undefined) continue;
      const score = term.score - W.termPerHop * hops;
      if (!best || score > best.score) best = { table: term.table, score, hops };
    }
    return best;
  }

  /** The fact's usual date column, or a parent's when the fact has none ("check-ins in 2024"). */
  defaultTemporal(): ColumnEntry | undefined {
    const own = this.fact.temporals[0];
    if (own) return own;
    for (const [table, path] of this.index.pathsFrom(this.fact)) {
      if (path.length > 0 && table.temporals[0]) return table.temporals[0];
    }
    return undefined;
  }
}

export function resolve(items: Item[], roles: Roles, index: SchemaIndex, fact: TableEntry): Resolved | undefined {
  const r = new Resolver(items, roles, index, fact);
  const used = new Set(roles.used);
  const plan: QueryPlan = { shape: roles.shape, fact, groups: [], predicates: [] };

  if (roles.rank) {
    if (!resolveRank(r, roles.rank, plan, used)) return undefined;
  } else if (!resolveFocus(r, roles, plan, used)) {
    return undefined;
  }

  resolveGroups(r, roles, plan, used);
  resolveFilters(r, plan, used);
  scoreMentions(r, used);

  const joins = new Set<TableEntry>();
  for (const table of r.tables) for (const link of index.pathsFrom(fact).get(table) ?? []) joins.add(link.parent);
  return { plan, score: r.score - W.perJoin * joins.size, joins: joins.size, problems: r.problems };
}

const isMeasure = (c: ColumnEntry) => c.isNumeric && !c.isKey;
const isGroupable = (c: ColumnEntry) => !c.isKey || c.isText;

export function resolveFocus(r: Resolver, roles: Roles, plan: QueryPlan, used: Set<number>): boolean {
  const { fact, items } = r;
  const fn = roles.aggFn;
  if (plan.shape !== 'aggregate' || fn === 'count') for (const i of roles.focus) used.add(i);

  if (roles.focusPerson && roles.focus.length === 0) {
    if (fact.personScore <= 0) return false;
    r.score += W.focus.person + fact.personScore * W.focus.personScore;
  }

  if (plan.shape === 'aggregate' && fn === 'count') {
    const at = roles.focus[0];
    if (at === undefined) {
      plan.measure = { fn: 'count' };
      return true;
    }
    const ref = items[at] as RefItem;
    const tableTerm = r.tableTerm(at);
    const columnPlace = r.place(at, (c) => !c.isKey || c.isText);
    const boolPlace = r.place(at, (c) => c.isBoolean);
    if (boolPlace && boolPlace.hops === 0 && boolPlace.score >= (tableTerm?.score ?? 0)) {
      // "How many check-ins": rows of the table the flag lives on, with the flag set.
      plan.measure = { fn: 'count' };
      plan.predicates.push({ type: 'bool', column: r.use(boolPlace, W.focus.flag), negated: ref.negated });
      return true;
    }
    if (tableTerm && tableTerm.hops === 0 && tableTerm.score >= (columnPlace?.score ?? 0)) {
      plan.measure = { fn: 'count' };
      r.score += W.focus.ownTable * tableTerm.score;
      return true;
    }
    if (columnPlace && !columnPlace.column.isBoolean && (!tableTerm || columnPlace.score > tableTerm.score)) {
      // "How many countries": distinct values of a column.
      plan.measure = { fn: 'count-distinct', columns: [r.use(columnPlace, W.focus.column)] };
      return true;
    }
    if (tableTerm && tableTerm.hops > 0) {
      // "How many customers ordered in 2024", counted through orders: distinct parents.
      const link = r.index.pathsFrom(fact).get(tableTerm.table)?.[0];
      if (!link || r.index.pathsFrom(fact).get(tableTerm.table)!.length !== 1) return false;
      const columns = link.childColumns.map((name) => fact.columns.find((c) => c.name === name)).filter((c): c is ColumnEntry => !!c);
      plan.measure = { fn: 'count-distinct', columns };
      r.score += W.focus.parentTable * tableTerm.score - W.focus.parentTableCost;
      return true;
    }
    return false;
  }

  if (plan.shape === 'aggregate') {
    return resolveAggregate(r, roles, plan, used);
  }

  if (plan.shape === 'distinct') {
    const at = roles.showRefs[0]!;
    const placed = r.place(at, isGroupable);
    if (!placed) return false;
    plan.show = { table: placed.column.table, columns: [r.use(placed, W.focus.column)] };
    return true;
  }

  // list
  const at = roles.focus[0];
  let table = fact;
  if (at !== undefined) {
    const tableTerm = r.tableTerm(at);
    const columnPlace = r.place(at, (c) => !c.isKey);
    if (tableTerm && tableTerm.score >= (columnPlace?.score ?? 0)) {
      r.score +=
        (tableTerm.hops === 0 ? W.focus.ownTable : W.focus.parentTable) * tableTerm.score - W.focus.parentTableCost * tableTerm.hops;
      table = tableTerm.table;
    } else if (columnPlace) {
      plan.show = { table: columnPlace.column.table, columns: [r.use(columnPlace, W.focus.column)] };
      return true;
    } else {
      return false;
    }
  } else if (roles.focusPerson) {
    table = fact;
  }
  if (roles.temporalAgg) {
    const temporal = table.temporals[0];
    if (!temporal) return false;
    plan.show = { table, columns: [...table.labels, temporal] };
    return true;
  }
  plan.show = { table, columns: table.labels };
  return true;
}

export function resolveAggregate(r: Resolver, roles: Roles, plan: QueryPlan, used: Set<number>): boolean {
  const { fact } = r;
  const fn = roles.aggFn as AggFn;
  const wantTemporal = roles.temporalAgg;
  let column: ColumnEntry | undefined;
  let tableMatched = false;
  const accept = wantTemporal
    ? (c: ColumnEntry) => c.isTemporal
    : fn === 'sum' || fn === 'avg'
      ? isMeasure
      : (c: ColumnEntry) => isMeasure(c) || c.isTemporal;
  for (const at of roles.focus) {
    const ref = r.items[at] as RefItem;
    const placed = r.place(at, accept);
    if (placed && !column) {
      column = r.use(placed, W.aggregate.column);
      used.add(at);
      continue;
    }
    const tableTerm = r.tableTerm(at);
    if (tableTerm && tableTerm.hops === 0 && tableTerm.score >= bestScore(ref.terms, (t) => !!t.column && accept(t.column))) {
      tableMatched = true;
      used.add(at);
      r.score += W.aggregate.table * tableTerm.score;
      continue;
    }
    // The column to total was named outright but is out of this table's reach.
    if (
      !column &&
      !placed &&
      bestScore(ref.terms, (t) => !!t.column && accept(t.column)) >= 0.9 &&
      bestScore(ref.terms, (t) => t.kind === 'table') < 0.9
    ) {
      return false;
    }
  }
  if (!column) {
    if (roles.focus.length > 0 && !tableMatched) return false;
    column = wantTemporal ? fact.temporals[0] : fact.measures[0];
    if (!column) return false;
    r.score += W.aggregate.defaultColumn;
  }
  plan.measure = { fn, column };
  return true;
}

export function resolveRank(r: Resolver, rank: RankSpec, plan: QueryPlan, used: Set<number>): boolean {
  const { fact, items } = r;
  for (const i of rank.measureRefs) used.add(i);
  if (typeof rank.entity === 'number') used.add(rank.entity);

  // What is ranked: a column (groups), this table's rows, or a parent's rows.
  let entityColumn: ColumnEntry | undefined;
  let entityTable: TableEntry | undefined;
  const grainItem = typeof rank.entity === 'number' ? items[rank.entity] : undefined;
  let entityGrain: GroupKey | undefined;
  if (grainItem?.k === 'grain') {
    const column = r.defaultTemporal();
    if (!column) return false;
    r.tables.add(column.table);
    entityGrain = { type: 'grain', unit: grainItem.unit, column };
  } else if (rank.entity === 'person') {
    const people = [...r.index.pathsFrom(fact).keys()].filter((t) => t.personScore > 0).sort((a, b) => b.personScore - a.personScore);
    entityTable = people[0];
    if (!entityTable) return false;
    r.score += W.rank.person;
  } else {
    const tableTerm = r.tableTerm(rank.entity);
    const placed = r.place(rank.entity, isGroupable, rank.entityQualifier);
    if (placed && (!tableTerm || placed.score > tableTerm.score)) {
      entityColumn = r.use(placed, W.rank.entityColumn);
    } else if (tableTerm) {
      entityTable = tableTerm.table;
      r.score += W.rank.entityTable * tableTerm.score;
    } else {
      return false;
    }
  }

  // How it is ranked.
  let measureColumn: ColumnEntry | undefined;
  let measureTable = false;
  let measureVerb = false;
  let distinctParent: ColumnEntry[] | undefined;
  for (const at of rank.measureRefs) {
    const ref = items[at] as RefItem;
    const accept = rank.temporal ? (c: ColumnEntry) => c.isTemporal : (c: ColumnEntry) => isMeasure(c);
    const placed = r.place(at, accept);
    if (placed && !measureColumn) {
      measureColumn = r.use(placed, W.rank.measureColumn);
      continue;
    }
    const flag = r.place(at, (c) => c.isBoolean);
    if (flag && flag.hops === 0 && isFlagRef(ref)) {
      // "the most returns": rows of the flag's table with the flag set.
      plan.predicates.push({ type: 'bool', column: r.use(flag, W.rank.flag), negated: ref.negated });
      measureTable = true;
      continue;
    }
    const tableTerm = r.tableTerm(at);
    if (tableTerm && tableTerm.hops === 0) {
      measureTable = true;
      measureVerb = measureVerb || !isPlural(ref.text);
      r.score += W.rank.measureTable * tableTerm.score;
    } else if (tableTerm && tableTerm.hops === 1 && !distinctParent) {
      // "who borrowed the most books": distinct parents per ranked entity.
      const link = r.index.pathsFrom(fact).get(tableTerm.table)![0]!;
      distinctParent = link.childColumns.map((name) => fact.columns.find((c) => c.name === name)).filter((c): c is ColumnEntry => !!c);
      r.score += W.rank.distinctParent * tableTerm.score;
    } else if (!ref.terms.some((t) => t.column?.isTemporal)) {
      r.problem(`'${(items[at] as RefItem).text}' cannot be used to rank ${entityTable?.name ?? entityColumn?.name ?? fact.name} here`);
    }
  }

  plan.limit = rank.limit;
  plan.direction = rank.dir;
  let shown: ColumnEntry[] | undefined;
  if (rank.show !== undefined) {
    used.add(rank.show);
    const placed = r.place(rank.show, () => true);
    if (!placed || placed.column.table !== fact) return false;
    shown = [r.use(placed, W.rank.shownColumn)];
  }
  const rowsOfFact = entityTable === fact && !measureTable;
  if (rowsOfFact || (entityTable === fact && measureColumn)) {
    plan.shape = 'rank-rows';
    const order = measureColumn ?? (rank.temporal ? fact.temporals[0] : (fact.measures[0] ?? fact.temporals[0]));
    if (!order) return false;
    plan.orderBy = order;
    plan.show = { table: fact, columns: shown ?? fact.labels };
    return true;
  }
  if (entityTable === fact && measureTable) {
    // "the order with the most orders": nothing to rank by.
    const order = rank.temporal ? fact.temporals[0] : fact.measures[0];
    if (!order) return false;
    plan.shape = 'rank-rows';
    plan.orderBy = order;
    plan.show = { table: fact, columns: fact.labels };
    return true;
  }

  plan.shape = 'rank-groups';
  if (entityGrain) plan.groups.push(entityGrain);
  else if (entityColumn) plan.groups.push({ type: 'column', column: entityColumn });
  else if (entityTable) {
    if (r.hops(entityTable) === undefined || entityTable === fact) return false;
    r.tables.add(entityTable);
    plan.groups.push({ type: 'entity', table: entityTable });
  }
  if (rank.aggFn) {
    const column = measureColumn ?? (rank.temporal ? fact.temporals[0] : fact.measures[0]);
    if (!column) return false;
    plan.measure = { fn: rank.aggFn, column };
  } else if (measureColumn) {
    plan.measure = rank.temporal ? { fn: rank.dir === 'ASC' ? 'min' : 'max', column: measureColumn } : { fn: 'sum', column: measureColumn };
    // Ranked by the extreme, so "earliest" needs ascending order of the minimum.
  } else if (distinctParent && distinctParent.length > 0) {
    plan.measure = { fn: 'count-distinct', columns: distinctParent };
  } else if (rank.countish && measureVerb && fact.measures[0] && r.index.moneyTerms.some((t) => t.column === fact.measures[0])) {
    // "who spent the most" totals money; "who placed the most orders" counts them.
    plan.measure = { fn: 'sum', column: fact.measures[0] };
  } else if (rank.countish || !measureTable) {
    plan.measure = { fn: 'count' };
  } else {
    const column = fact.measures[0];
    plan.measure = column ? { fn: 'sum', column } : { fn: 'count' };
  }
  if (!measureTable && !measureColumn && rank.measureRefs.length === 0 && entityColumn && entityColumn.table !== fact) {
    // "the most common genre" counts rows of the genre's own table, not of a child.
    return false;
  }
  return true;
}

export function resolveGroups(r: Resolver, roles: Roles, plan: QueryPlan, used: Set<number>): void {
  if (plan.shape !== 'aggregate') return;
  for (const group of roles.groups) {
    if (group.grain) {
      const column = temporalHintBefore(r, group.at, used) ?? r.defaultTemporal();
      if (!column) {
        r.problem(`'${r.fact.name}' has no date to group by ${group.grain}`);
        continue;
      }
      r.tables.add(column.table);
      r.score += W.group.grain;
      plan.groups.push({ type: 'grain', unit: group.grain, column });
      continue;
    }
    if (group.ref === undefined) continue;
    used.add(group.ref);
    const ref = r.items[group.ref] as RefItem;
    const placed = r.place(group.ref, (c) => isGroupable(c) || c.isBoolean, group.qualifier);
    const tableTerm = r.tableTerm(group.ref);
    if (placed && (!tableTerm || placed.score >= tableTerm.score || tableTerm.table === r.fact)) {
      if (placed.column.isTemporal) {
        plan.groups.push({ type: 'grain', unit: 'day', column: r.use(placed) });
      } else {
        plan.groups.push({ type: 'column', column: r.use(placed) });
      }
    } else if (tableTerm && tableTerm.table !== r.fact) {
      r.score += W.group.entity * tableTerm.score;
      r.tables.add(tableTerm.table);
      plan.groups.push({ type: 'entity', table: tableTerm.table });
    } else {
      r.problem(`'${ref.text}' is not something '${r.fact.name}' can be grouped by`);
    }
  }
}

/** "loaned in 2022", "books by publication month": a date column named just before. */
function temporalHintBefore(r: Resolver, at: number, used: Set<number>): ColumnEntry | undefined {
  for (let i = at - 1; i >= 0 && i >= at - 3; i--) {
    const item = r.items[i];
    if (item?.k === 'ref') {
      const placed = r.place(i, (c) => c.isTemporal);
      if (placed) {
        used.add(i);
        return r.use(placed, W.filter.dateHint);
      }
      if (bestScore(item.terms, (t) => !!t.column?.isTemporal) >= 0.8) {
        // "books loaned in 2023" asked about a date this table cannot reach.
        r.problem(`'${item.text}' is a date that '${r.fact.name}' cannot be filtered or grouped on`);
        return undefined;
      }
      const tableTerm = item.terms.find((t) => t.kind === 'table' && t.score >= 0.9);
      if (tableTerm && isPlural(item.text)) return undefined;
      if (tableTerm) {
        // "customers ordered in 2024": the date of the table the verb names.
        const hops = r.hops(tableTerm.table);
        if (hops === undefined) {
          r.problem(`'${item.text}' is dated in '${tableTerm.table.name}', which '${r.fact.name}' cannot reach`);
          return undefined;
        }
        if (hops > 0 && tableTerm.table.temporals[0]) {
          used.add(i);
          r.tables.add(tableTerm.table);
          return tableTerm.table.temporals[0];
        }
        return undefined;
      }
    } else if (!isCue(item, 'of', 'has', 'temporal-hint')) {
      if (item?.k !== 'value') return undefined;
    }
  }
  // A date column named anywhere in the question and not otherwise used.
  for (let i = 0; i < r.items.length; i++) {
    if (used.has(i) || r.items[i]?.k !== 'ref') continue;
    const placed = r.place(i, (c) => c.isTemporal);
    if (placed && placed.score >= 0.8) {
      used.add(i);
      return r.use(placed, W.filter.dateHint);
    }
  }
  return undefined;
}

function numericHint(r: Resolver, at: number, used: Set<number>): ColumnEntry | undefined {
  const after = r.items[at + 1];
  if (after?.k === 'ref') {
    const placed = r.place(at + 1, isMeasure);
    if (placed) {
      used.add(at + 1);
      return r.use(placed);
    }
  }
  for (let i = at - 1; i >= 0 && i >= at - 3; i--) {
    const item = r.items[i];
    if (item?.k === 'ref') {
      const placed = r.place(i, isMeasure);
      if (placed) {
        used.add(i);
        return r.use(placed);
      }
    } else if (!isCue(item, 'of', 'has')) break;
  }
  return undefined;
}

export function resolveFilters(r: Resolver, plan: QueryPlan, used: Set<number>): void {
  const { items } = r;
  const valueGroups = new Map<ColumnEntry, { values: string[]; negated: boolean }>();
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.k === 'value') {
      const placed = placeValue(r, item);
      if (!placed) {
        r.problem(`'${item.text}' is a value of ${describeColumns(item)}, which cannot be combined with '${r.fact.name}'`);
        continue;
      }
      const entry = valueGroups.get(placed) ?? { values: [], negated: item.negated };
      const value = item.values.find((v) => v.column === placed)!.value;
      if (!entry.values.includes(value)) entry.values.push(value);
      valueGroups.set(placed, entry);
      r.tables.add(placed.table);
      continue;
    }
    if (item.k === 'time') {
      const column = temporalHintBefore(r, i, used) ?? r.defaultTemporal();
      if (!column) {
        r.problem(`'${r.fact.name}' has no date column for '${item.text}'`);
        continue;
      }
      r.tables.add(column.table);
      r.score += W.filter.time;
      plan.predicates.push({ type: 'time', column, time: item.time });
      continue;
    }
    if (item.k === 'compare' || item.k === 'range') {
      const column = numericHint(r, i, used) ?? r.fact.measures[0];
      if (!column) {
        r.problem(`'${r.fact.name}' has no number to compare with '${item.text}'`);
        continue;
      }
      r.tables.add(column.table);
      r.score += W.filter.compare;
      plan.predicates.push(
        item.k === 'compare'
          ? { type: 'compare', column, op: item.op, value: item.value }
          : { type: 'range', column, low: item.low, high: item.high },
      );
      continue;
    }
  }
  for (const [column, { values, negated }] of valueGroups) {
    plan.predicates.push({ type: 'in', column, values, negated });
  }
  // Booleans named as adjectives or participles: "returned", "remote".
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item?.k !== 'ref' || used.has(i)) continue;
    const placed = r.place(i, (c) => c.isBoolean);
    const other = bestScore(item.terms, (t) => !t.column?.isBoolean);
    if (!placed) {
      // "customers who returned an item" cannot be answered from a table that has no such flag.
      if (bestScore(item.terms, (t) => !!t.column?.isBoolean) >= Math.max(0.9, other)) {
        r.problem(`'${item.text}' is a flag that '${r.fact.name}' cannot reach`);
      }
      continue;
    }
    if (placed.score + W.filter.flagPerHop * placed.hops < other) continue;
    used.add(i);
    if (plan.predicates.some((p) => p.type === 'bool' && p.column === placed.column)) continue;
    plan.predicates.push({ type: 'bool', column: r.use(placed), negated: item.negated });
  }
}

function describeColumns(item: ValueItem): string {
  return [...new Set(item.values.map((v) => `${v.column.table.name}.${v.column.name}`))].join(' / ');
}

/** The column a value filters: on the fact table if it can be, else the nearest parent. */
function placeValue(r: Resolver, item: ValueItem): ColumnEntry | undefined {
  let best: { column: ColumnEntry; hops: number } | undefined;
  for (const value of item.values) {
    const hops = r.hops(value.column.table);
    if (hops === undefined) continue;
    if (!best || hops < best.hops) best = { column: value.column, hops };
  }
  if (!best) return undefined;
  r.score += W.filter.value - W.filter.valuePerHop * best.hops;
  return best.column;
}

/** Table words that had no other role still say which table the question is about. */
function scoreMentions(r: Resolver, used: Set<number>): void {
  for (let i = 0; i < r.items.length; i++) {
    const item = r.items[i];
    if (item?.k !== 'ref' || used.has(i)) continue;
    const tableScore = bestScore(item.terms, (t) => t.kind === 'table');
    const tableTerm = r.tableTerm(i);
    if (tableTerm) {
      r.score += (tableTerm.hops === 0 ? W.mention.ownTable : W.mention.parentTable) * tableTerm.score;
      continue;
    }
    const columnPlace = r.place(i, () => true);
    if (columnPlace) {
      r.score += W.mention.column * columnPlace.score;
      continue;
    }
    if (tableScore >= 0.7) r.score -= W.mention.unreachableTable * tableScore;
    else r.score -= W.mention.unplaced;
  }
}
