/**
 * Phase 2, reading roles: from cues and positions only, before any table is chosen, each
 * schema reference gets a role (what is counted, a group, what is shown).
 */
import type { Item } from '../parse';
import { readRank } from './ranking';
import {
  type RefItem,
  type Roles,
  isCue,
  bestScore,
  isBreak,
  refsBetween,
  scopeAfter,
  isTableRef,
  isPlural,
  hasNumericColumn,
  isColumnFocus,
  isFlagRef,
} from './shared';

export function readRoles(items: Item[]): Roles {
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
    countAt === aggAt + 1 &&
    aggCue?.k === 'agg' &&
    aggCue.fn !== 'sum' &&
    focusAfter(items, countAt, roles).some((i) => hasNumericColumn(items[i] as RefItem));
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
    if (whenAt >= 0 || items.some((it) => isCue(it, 'temporal-hint')))
      roles.temporalAgg = roles.temporalAgg || roles.aggFn === 'min' || roles.aggFn === 'max';
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
    roles.focus = refsBetween(items, whenAt, items.length)
      .filter((i) => isTableRef(items[i]))
      .slice(0, 1);
    roles.temporalAgg = true;
    return roles;
  }
  roles.shape = 'list';
  roles.focus = firstRef !== undefined ? [firstRef] : [];
  if (roles.focus.length === 0) roles.focusPerson = items.some((it) => isCue(it, 'person', 'who'));
  return roles;
}

/** The refs right after an opening word, or from the start; skips adjectives (values). */
export function scopeAfterOpener(items: Item[], opener: number): number[] {
  const out: number[] = [];
  for (let i = opener + 1; i < items.length; i++) {
    const item = items[i];
    if (item?.k === 'ref') out.push(i);
    else if (out.length > 0 && item?.k !== 'value') break;
    else if (isBreak(item) && i > opener + 1) break;
  }
  return out;
}

export function focusAfter(items: Item[], at: number, roles: Roles): number[] {
  for (let i = at + 1; i < items.length; i++) {
    const item = items[i];
    if (isBreak(item) && !isCue(item, 'count')) break;
    if (item?.k === 'ref' && !roles.used.has(i)) return [i];
  }
  return [];
}

export function personAfter(items: Item[], at: number): boolean {
  for (let i = at + 1; i < items.length; i++) {
    const item = items[i];
    if (isCue(item, 'person', 'who')) return true;
    if (isBreak(item)) return false;
  }
  return false;
}

/** "book genre", "pages of books": a table word right before a column, or after "of". */
export function markQualifiers(items: Item[], roles: Roles): void {
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

export function readGroups(items: Item[], roles: Roles): void {
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
