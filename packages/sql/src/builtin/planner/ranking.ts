/**
 * Phase 3, ranking roles: "which X has the most Y", "the 5 largest", "top 3 by": what is
 * ranked, by what, in which direction and how many.
 */
import type { AggFn, Cue } from '../lexicon';
import type { Item } from '../parse';
import {
  type RefItem,
  type RankSpec,
  type Roles,
  isCue,
  isBreak,
  refsBetween,
  scopeAfter,
  isTableRef,
  isPlural,
  hasNumericColumn,
  isColumnFocus,
} from './shared';

export function readRank(items: Item[], roles: Roles): { kind: 'rank-groups' | 'rank-rows'; spec: RankSpec } | undefined {
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
      countish:
        !!countish ||
        (c?.k === 'top' &&
          measureRefs.some((i) => isTableRef(items[i])) &&
          !aggFn &&
          !measureRefs.some((i) => hasNumericColumn(items[i] as RefItem))),
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
      const measureRefs = aggFn
        ? [
            ...measures,
            ...scopeAfter(
              items,
              items.findIndex((it, i) => i > superAt && isCue(it, 'agg')),
            ),
          ]
        : measures;
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
