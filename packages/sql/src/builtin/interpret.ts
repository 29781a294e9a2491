/**
 * Items → QueryPlan. First the shape of the question is read from its cues alone
 * (count, aggregate, ranking, list, distinct) and each schema reference gets a role
 * (the thing counted, a group, a filter ...). Then every table is tried as the fact
 * table: roles are resolved against it and its parents, and the table that explains the
 * most of the question with the fewest joins wins. A question that no table explains
 * is refused rather than answered with a guess.
 */
import { GenerationFailedError } from '@flock/errors';
import type { AggFn, Cue, Grain } from './lexicon';
import type { Item } from './parse';
import type { GroupKey, QueryPlan, Shape } from './query-plan';
import { PLANNER_WEIGHTS as W } from './planner-weights';
import type { ColumnEntry, SchemaIndex, TableEntry, Term } from './schema-index';

type RefItem = Extract<Item, { k: 'ref' }>;
type ValueItem = Extract<Item, { k: 'value' }>;

const PREFIX = 'Could not generate a query for that question';

interface GroupSpec {
  at: number;
  grain?: Grain;
  /** Ref item index of the grouped column or entity. */
  ref?: number;
  qualifier?: TableEntry;
}

interface RankSpec {
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

interface Roles {
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

interface Resolved {
  plan: QueryPlan;
  score: number;
  joins: number;
  problems: string[];
}

export function interpret(items: Item[], index: SchemaIndex): QueryPlan {
  assertUnderstood(items, index);
  const roles = readRoles(items);
  const candidates = candidateFacts(items, roles, index);

  const results: Resolved[] = [];
  for (const fact of candidates) {
    const resolved = resolve(items, roles, index, fact);
    if (resolved) results.push(resolved);
  }
  results.sort((a, b) => b.score - a.score || a.joins - b.joins || a.plan.fact.order - b.plan.fact.order);
  const best = results[0];
  if (!best) throw new GenerationFailedError(`${PREFIX}: no table in this warehouse fits it. ${tablesHint(index)}`);
  if (best.problems.length > 0) {
    throw new GenerationFailedError(`${PREFIX}: ${best.problems.join('; ')}. ${tablesHint(index)}`);
  }
  const second = results[1];
  if (second && second.problems.length === 0 && Math.abs(second.score - best.score) < 1e-6 && second.joins === best.joins && second.plan.fact !== best.plan.fact) {
    throw new GenerationFailedError(
      `${PREFIX}: it could be about '${best.plan.fact.name}' or '${second.plan.fact.name}'. Name the one you mean.`,
    );
  }
  return best.plan;
}

function tablesHint(index: SchemaIndex): string {
  const names = index.tables.map((t) => t.name);
  return `This warehouse has the tables ${names.join(', ')}; try naming one of them or one of their columns.`;
}

function isCue(item: Item | undefined, ...kinds: Cue['k'][]): item is Extract<Item, { k: 'cue' }> {
  return item?.k === 'cue' && kinds.includes(item.cue.k);
}

function bestScore(terms: Term[], accept: (t: Term) => boolean = () => true): number {
  let best = 0;
  for (const t of terms) if (accept(t) && t.score > best) best = t.score;
  return best;
}

function assertUnderstood(items: Item[], index: SchemaIndex): void {
  const strong = items.filter((it) => (it.k === 'ref' && bestScore(it.terms) >= 0.5) || it.k === 'value');
  if (strong.length === 0) {
    throw new GenerationFailedError(
      `${PREFIX}: none of its words match this warehouse's tables, columns or values. ${tablesHint(index)}`,
    );
  }
  const unknown = items.filter((it) => it.k === 'unknown').map((it) => it.text);
  if (unknown.length >= 3 && unknown.length > 2 * strong.length) {
    throw new GenerationFailedError(
      `${PREFIX}: too much of it (${unknown.map((w) => `'${w}'`).join(', ')}) matches nothing in this warehouse.`,
    );
  }
  for (const it of items) {
    if (isCue(it, 'unsupported') && it.cue.k === 'unsupported') {
      throw new GenerationFailedError(`${PREFIX}: ${it.cue.what} are not supported yet; ask for the counts or totals instead.`);
    }
  }
  // What is counted, totalled or ranked must be understood: "how many unicorns" is not
  // "how many rows".
  for (let i = 0; i < items.length; i++) {
    if (!isCue(items[i], 'count', 'agg', 'super', 'popular', 'top')) continue;
    for (let j = i + 1; j < items.length; j++) {
      const it = items[j]!;
      if (it.k === 'unknown') {
        throw new GenerationFailedError(`${PREFIX}: '${it.text}' does not match any table, column or value in this warehouse. ${tablesHint(index)}`);
      }
      if (it.k === 'ref' || it.k === 'value' || isBreak(it)) break;
    }
  }
  // A word where a filter would go ("hardback books", "from Atlantis", "in EUR") that
  // matches no listed value: dropping it would answer a different question.
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    if (it.k !== 'unknown') continue;
    const next = items[i + 1];
    const adjective = it.modifies && ((next?.k === 'ref' && bestScore(next.terms, (t) => t.kind === 'table') >= 0.9) || next?.k === 'value');
    const before = items[i - 1];
    // "orders were deleted": a state of the rows just named.
    const predicate = before?.k === 'ref' && bestScore(before.terms, (t) => t.kind === 'table') >= 0.9 && (!next || isBreak(next));
    if (it.proper || adjective || predicate || isCue(before, 'from')) {
      throw new GenerationFailedError(
        `${PREFIX}: '${it.text}' is not a table, a column or a listed value in this warehouse, so it cannot be used as a filter.`,
      );
    }
  }
  for (const it of items) {
    if (it.k === 'ref' && it.negated && !it.terms.some((t) => t.column?.isBoolean)) {
      throw new GenerationFailedError(
        `${PREFIX}: questions about rows that have no '${it.text}' are not supported yet; ask about rows that do.`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------
// Roles: read from cues and positions only, before any table is chosen.
// ---------------------------------------------------------------------------------

/** Items that end the stretch of words describing what is counted or totalled. */
function isBreak(item: Item | undefined): boolean {
  if (!item) return true;
  if (item.k === 'time' || item.k === 'compare' || item.k === 'range' || item.k === 'grain') return true;
  return isCue(item, 'group', 'which', 'who', 'list', 'has', 'count', 'agg', 'super', 'popular', 'top', 'when');
}

function refsBetween(items: Item[], from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to && i < items.length; i++) if (items[i]?.k === 'ref') out.push(i);
  return out;
}

/** Ref indexes after `start` up to the next break; values and "of" do not break. */
function scopeAfter(items: Item[], start: number): number[] {
  const out: number[] = [];
  for (let i = start + 1; i < items.length; i++) {
    const item = items[i];
    if (isBreak(item)) break;
    if (item?.k === 'ref') out.push(i);
  }
  return out;
}

function isTableRef(item: Item | undefined): item is RefItem {
  return item?.k === 'ref' && item.terms.some((t) => t.kind === 'table' && t.score >= 0.7);
}

function isPlural(text: string): boolean {
  const last = text.toLowerCase().split(' ').pop() ?? '';
  return /[^s]s$/.test(last) || last === 'people';
}

function readRoles(items: Item[]): Roles {
  const roles: Roles = {
    shape: 'list',
    focus: [],
    focusPerson: false,
    qualifiers: new Map(),
    temporalAgg: false,
    groups: [],
    showRefs: [],
    used: new Set(),
  };
  markQualifiers(items, roles);
  readGroups(items, roles);

  const rank = readRank(items, roles);
  if (rank) {
    roles.shape = rank.kind;
    roles.rank = rank.spec;
    return roles;
  }

  const countAt = items.findIndex((it) => isCue(it, 'count'));
  const aggAt = items.findIndex((it) => isCue(it, 'agg'));
  const superAt = items.findIndex((it) => isCue(it, 'super'));
  const whenAt = items.findIndex((it) => isCue(it, 'when'));
  const distinctAt = items.findIndex((it) => isCue(it, 'distinct'));

  const aggCue = aggAt >= 0 ? (items[aggAt] as Extract<Item, { k: 'cue' }>).cue : undefined;
  // "average number of pages" averages a numeric column; "total number of books" counts.
  const numberOfColumn =
    countAt === aggAt + 1 && aggCue?.k === 'agg' && aggCue.fn !== 'sum' && focusAfter(items, countAt, roles).some((i) => hasNumericColumn(items[i] as RefItem));
  if (countAt >= 0 && (aggAt < 0 || countAt <= aggAt + 1) && !numberOfColumn) {
    roles.shape = 'aggregate';
    roles.aggFn = 'count';
    roles.focus = focusAfter(items, countAt, roles);
    if (roles.focus.length === 0) roles.focus = refsBetween(items, 0, countAt).slice(-1);
    if (roles.focus.length === 0) roles.focusPerson = personAfter(items, countAt);
    return roles;
  }
  if (aggAt >= 0 || superAt >= 0) {
    const at = aggAt >= 0 ? aggAt : superAt;
    const cue = (items[at] as Extract<Item, { k: 'cue' }>).cue;
    roles.shape = 'aggregate';
    if (cue.k === 'agg') roles.aggFn = cue.fn;
    else if (cue.k === 'super') {
      roles.aggFn = cue.dir === 'desc' ? 'max' : 'min';
      roles.temporalAgg = cue.temporal;
    }
    if (whenAt >= 0 || items.some((it) => isCue(it, 'temporal-hint'))) roles.temporalAgg = roles.temporalAgg || roles.aggFn === 'min' || roles.aggFn === 'max';
    roles.focus = scopeAfter(items, at);
    if (roles.focus.length === 0) roles.focus = refsBetween(items, 0, at).slice(-1);
    // "the total paid by ...": the verb is the focus even though a group cue follows.
    return roles;
  }

  const groupedSubject = roles.groups.length > 0 ? refsBetween(items, 0, roles.groups[0]!.at).filter((i) => !roles.used.has(i)) : [];
  if (roles.groups.length > 0 && groupedSubject.length > 0) {
    const subject = items[groupedSubject[0]!] as RefItem;
    roles.shape = 'aggregate';
    // "Orders by status" counts; "revenue by year" totals a numeric column.
    roles.aggFn = isColumnFocus(subject) && hasNumericColumn(subject) ? 'sum' : 'count';
    roles.focus = [groupedSubject[0]!];
    return roles;
  }

  const opener = items.findIndex((it) => isCue(it, 'list', 'which', 'who'));
  const firstRefs = scopeAfterOpener(items, opener).filter((i) => !roles.used.has(i));
  // Flags in front of the noun are filters: "VIP customers" lists customers, not the flag.
  const firstRef = firstRefs.find((i) => !isFlagRef(items[i] as RefItem)) ?? firstRefs[0];
  const columnFirst = firstRef !== undefined && isColumnFocus(items[firstRef] as RefItem);
  if (firstRef !== undefined && columnFirst && (distinctAt >= 0 || opener >= 0)) {
    // "What genres exist?", "List the cities": values of a column, once each.
    roles.shape = 'distinct';
    roles.showRefs = [firstRef];
    roles.focus = [firstRef];
    return roles;
  }
  if (whenAt >= 0) {
    roles.shape = 'list';
    roles.focus = refsBetween(items, whenAt, items.length).filter((i) => isTableRef(items[i])).slice(0, 1);
    roles.temporalAgg = true;
    return roles;
  }
  roles.shape = 'list';
  roles.focus = firstRef !== undefined ? [firstRef] : [];
  if (roles.focus.length === 0) roles.focusPerson = items.some((it) => isCue(it, 'person', 'who'));
  return roles;
}

/** The refs right after an opening word, or from the start; skips adjectives (values). */
function scopeAfterOpener(items: Item[], opener: number): number[] {
  const out: number[] = [];
  for (let i = opener + 1; i < items.length; i++) {
    const item = items[i];
    if (item?.k === 'ref') out.push(i);
    else if (out.length > 0 && item?.k !== 'value') break;
    else if (isBreak(item) && i > opener + 1) break;
  }
  return out;
}

function isFlagRef(ref: RefItem): boolean {
  return bestScore(ref.terms, (t) => !!t.column?.isBoolean) >= bestScore(ref.terms, (t) => !t.column?.isBoolean);
}

/** A column rather than a table: "cities" names customer.city, not a table. */
function isColumnFocus(ref: RefItem): boolean {
  const table = bestScore(ref.terms, (t) => t.kind === 'table');
  const column = bestScore(ref.terms, (t) => t.kind === 'column' && !t.column!.isKey && !t.column!.isBoolean);
  return column > table && column >= 0.6;
}

function focusAfter(items: Item[], at: number, roles: Roles): number[] {
  for (let i = at + 1; i < items.length; i++) {
    const item = items[i];
    if (isBreak(item) && !isCue(item, 'count')) break;
    if (item?.k === 'ref' && !roles.used.has(i)) return [i];
  }
  return [];
}

function personAfter(items: Item[], at: number): boolean {
  for (let i = at + 1; i < items.length; i++) {
    const item = items[i];
    if (isCue(item, 'person', 'who')) return true;
    if (isBreak(item)) return false;
  }
  return false;
}

/** "book genre", "pages of books": a table word right before a column, or after "of". */
function markQualifiers(items: Item[], roles: Roles): void {
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item?.k !== 'ref' || !item.terms.some((t) => t.kind === 'column')) continue;
    const before = items[i - 1];
    // Noun adjuncts are singular: "book genre" qualifies, "customers ordered" is subject and verb.
    if (
      isTableRef(before) &&
      !isPlural(before.text) &&
      !before.terms.some((t) => t.kind === 'column' && t.score >= 0.9) &&
      bestScore(before.terms, (t) => t.kind === 'table') >= 0.9
    ) {
      const table = before.terms.find((t) => t.kind === 'table')!.table;
      if (item.terms.some((t) => t.column?.table === table)) {
        roles.qualifiers.set(i, table);
        roles.used.add(i - 1);
      }
    }
  }
}

function readGroups(items: Item[], roles: Roles): void {
  for (let i = 0; i < items.length; i++) {
    if (!isCue(items[i], 'group')) continue;
    const next = items[i + 1];
    if (next?.k === 'grain') {
      roles.groups.push({ at: i, grain: next.unit });
      continue;
    }
    let j = i + 1;
    while (j < items.length) {
      // "by event category": the table word qualifies the column after it.
      let refAt = j;
      if (roles.used.has(refAt) && items[refAt + 1]?.k === 'ref') refAt += 1;
      const ref = items[refAt];
      if (ref?.k !== 'ref') break;
      const qualifier = roles.qualifiers.get(refAt);
      // "total spent by VIP customers" is an agent, not a grouping: values never group.
      if (isTableRef(ref) && !isColumnFocus(ref) && isPlural(ref.text) && !qualifier) break;
      roles.groups.push({ at: i, ref: refAt, ...(qualifier ? { qualifier } : {}) });
      roles.used.add(refAt);
      if (isCue(items[refAt + 1], 'and') && items[refAt + 2]?.k === 'ref') j = refAt + 2;
      else break;
    }
  }
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item?.k === 'grain' && !isCue(items[i - 1], 'group')) roles.groups.push({ at: i, grain: item.unit });
  }
}

function readRank(items: Item[], roles: Roles): { kind: 'rank-groups' | 'rank-rows'; spec: RankSpec } | undefined {
  const superAt = items.findIndex((it) => isCue(it, 'super', 'popular'));
  const topAt = items.findIndex((it) => isCue(it, 'top'));
  const limitAt = items.findIndex((it) => it.k === 'limit');
  const countAt = items.findIndex((it) => isCue(it, 'count'));
  const limitItem = limitAt >= 0 ? (items[limitAt] as Extract<Item, { k: 'limit' }>) : undefined;

  const superCue = superAt >= 0 ? (items[superAt] as Extract<Item, { k: 'cue' }>).cue : undefined;
  const dir = (c: Cue | undefined): 'ASC' | 'DESC' => ((c?.k === 'super' || c?.k === 'top') && c.dir === 'asc' ? 'ASC' : 'DESC');
  const countish = superCue?.k === 'popular' || (superCue?.k === 'super' && superCue.countish);
  const temporal = superCue?.k === 'super' && superCue.temporal;

  const entityAt = (from: number, to: number): number | 'person' | undefined => {
    for (let i = from; i < to; i++) {
      const item = items[i];
      if (item?.k === 'ref' && roles.used.has(i)) continue;
      if (item?.k === 'ref' || item?.k === 'grain') return i;
      if (isCue(item, 'person', 'who') && !isCue(items[i + 1], 'has')) {
        // "Who are the customers with ..." ranks customers; "who paid the most" ranks people.
        const next = items[i + 1];
        if (isCue(item, 'who') && isTableRef(next) && isPlural(next.text)) continue;
        return 'person';
      }
      if (item?.k === 'value' || isCue(item, 'which', 'list', 'top', 'of', 'and') || item?.k === 'limit') continue;
      if (item?.k === 'unknown') continue;
      return undefined;
    }
    return undefined;
  };
  const between = (from: number, to: number) => refsBetween(items, from, to).filter((i) => !roles.used.has(i));
  const aggAfter = (from: number): AggFn | undefined => {
    for (let i = from; i < items.length; i++) {
      const item = items[i];
      if (isCue(item, 'agg')) return item.cue.k === 'agg' ? item.cue.fn : undefined;
      if (item?.k === 'ref' || isBreak(item)) return undefined;
    }
    return undefined;
  };
  const build = (entity: number | 'person', measureRefs: number[], aggFn: AggFn | undefined, c: Cue | undefined, defaultLimit: number) => {
    const entityRef = typeof entity === 'number' ? items[entity] : undefined;
    const spec: RankSpec = {
      entity,
      measureRefs,
      ...(aggFn ? { aggFn } : {}),
      countish: !!countish || (c?.k === 'top' && measureRefs.some((i) => isTableRef(items[i])) && !aggFn && !measureRefs.some((i) => hasNumericColumn(items[i] as RefItem))),
      temporal: !!temporal,
      dir: dir(c),
      limit: limitItem?.n ?? defaultLimit,
    };
    if (typeof entity === 'number') {
      const qualifier = roles.qualifiers.get(entity);
      if (qualifier) spec.entityQualifier = qualifier;
    }
    const grain = typeof entity === 'number' && items[entity]?.k === 'grain';
    const kind: 'rank-groups' | 'rank-rows' = grain || (entityRef?.k === 'ref' && isColumnFocus(entityRef)) ? 'rank-groups' : 'rank-rows';
    return { kind, spec };
  };

  if (countAt >= 0 && (superAt < 0 || countAt < superAt) && topAt < 0) return undefined;

  // "Which city has the most customers", "the 5 books with the most pages".
  if (superAt >= 0) {
    const entity = entityAt(0, superAt);
    const groupBefore = items.slice(0, superAt).some((it) => isCue(it, 'group', 'agg', 'count'));
    if (typeof entity === 'number' && isCue(items[entity + 1], 'of') && items.slice(entity + 2, superAt).every((it) => it.k === 'limit')) {
      // "the email of the newest customer": rank customers, show the email.
      const ranked = entityAt(superAt + 1, items.length);
      if (typeof ranked === 'number') {
        const spec = build(ranked, scopeAfter(items, ranked), undefined, superCue, limitItem?.n ?? 1);
        spec.spec.show = entity;
        return { kind: 'rank-rows', spec: spec.spec };
      }
    }
    if (entity !== undefined && !groupBefore) {
      const entityIndex = typeof entity === 'number' ? entity : -1;
      const measures = [...between(entityIndex + 1, superAt), ...scopeAfter(items, superAt)].filter((i) => i !== entityIndex);
      const aggFn = aggAfter(superAt + 1);
      const measureRefs = aggFn ? [...measures, ...scopeAfter(items, items.findIndex((it, i) => i > superAt && isCue(it, 'agg')))] : measures;
      const plural = entityIndex >= 0 && isPlural((items[entityIndex] as RefItem).text);
      return build(entity, dedupe(measureRefs), aggFn, superCue, plural && !isCue(items[0], 'which') ? 10 : 1);
    }
    // "the 3 largest orders", "the most common genre", "top 5 biggest products".
    const opened = superCue?.k === 'popular' || limitAt >= 0 || (topAt >= 0 && topAt < superAt);
    if (opened) {
      const after = entityAt(superAt + 1, items.length);
      if (after !== undefined) {
        const afterIndex = typeof after === 'number' ? after : superAt;
        const measureRefs = scopeAfter(items, afterIndex).concat(afterGroupCue(items, afterIndex));
        return build(after, dedupe(measureRefs), aggAfter(afterIndex + 1), superCue, limitItem ? limitItem.n : 1);
      }
    }
  }
  // "top 5 books by pages", "top 3 cities by number of customers".
  if (topAt >= 0) {
    const entity = entityAt(topAt + 1, items.length);
    if (entity !== undefined) {
      const entityIndex = typeof entity === 'number' ? entity : topAt;
      const aggAt = items.findIndex((it, i) => i > entityIndex && isCue(it, 'agg', 'count'));
      const measureRefs = afterGroupCue(items, entityIndex).concat(aggAt >= 0 ? scopeAfter(items, aggAt) : []);
      const aggCue = aggAt >= 0 ? (items[aggAt] as Extract<Item, { k: 'cue' }>).cue : undefined;
      const aggFn = aggCue?.k === 'agg' ? aggCue.fn : undefined;
      const topCue = (items[topAt] as Extract<Item, { k: 'cue' }>).cue;
      const spec = build(entity, dedupe(measureRefs), aggFn, topCue, 10);
      if (aggCue?.k === 'count') spec.spec.countish = true;
      // The "by" of "top 5 by pages" introduced the measure, not a grouping.
      roles.groups = roles.groups.filter((g) => g.ref === undefined || !measureRefs.includes(g.ref));
      return spec;
    }
  }
  return undefined;
}


function afterGroupCue(items: Item[], at: number): number[] {
  const next = items[at + 1];
  if (isCue(next, 'group', 'has', 'of')) {
    const refs: number[] = [];
    for (let i = at + 2; i < items.length; i++) {
      const item = items[i];
      if (item?.k === 'ref') refs.push(i);
      else if (!isCue(item, 'agg', 'count', 'of') && item?.k !== 'value') break;
    }
    return refs;
  }
  return [];
}

function dedupe(list: number[]): number[] {
  return [...new Set(list)];
}

function hasNumericColumn(ref: RefItem | undefined): boolean {
  return !!ref && ref.terms.some((t) => t.column?.isNumeric && !t.column.isKey);
}

// ---------------------------------------------------------------------------------
// Candidate fact tables and resolution against one of them.
// ---------------------------------------------------------------------------------

function candidateFacts(items: Item[], roles: Roles, index: SchemaIndex): TableEntry[] {
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

function resolve(items: Item[], roles: Roles, index: SchemaIndex, fact: TableEntry): Resolved | undefined {
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

function resolveFocus(r: Resolver, roles: Roles, plan: QueryPlan, used: Set<number>): boolean {
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
      r.score += (tableTerm.hops === 0 ? W.focus.ownTable : W.focus.parentTable) * tableTerm.score - W.focus.parentTableCost * tableTerm.hops;
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

function resolveAggregate(r: Resolver, roles: Roles, plan: QueryPlan, used: Set<number>): boolean {
  const { fact } = r;
  const fn = roles.aggFn as AggFn;
  const wantTemporal = roles.temporalAgg;
  let column: ColumnEntry | undefined;
  let tableMatched = false;
  const accept = wantTemporal ? (c: ColumnEntry) => c.isTemporal : fn === 'sum' || fn === 'avg' ? isMeasure : (c: ColumnEntry) => isMeasure(c) || c.isTemporal;
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
    if (!column && !placed && bestScore(ref.terms, (t) => !!t.column && accept(t.column)) >= 0.9 && bestScore(ref.terms, (t) => t.kind === 'table') < 0.9) {
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

function resolveRank(r: Resolver, rank: RankSpec, plan: QueryPlan, used: Set<number>): boolean {
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
    const order = measureColumn ?? (rank.temporal ? fact.temporals[0] : fact.measures[0] ?? fact.temporals[0]);
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

function resolveGroups(r: Resolver, roles: Roles, plan: QueryPlan, used: Set<number>): void {
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

function resolveFilters(r: Resolver, plan: QueryPlan, used: Set<number>): void {
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

