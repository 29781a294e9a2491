/**
 * Items → QueryPlan. First the shape of the question is read from its cues alone
 * (count, aggregate, ranking, list, distinct) and each schema reference gets a role
 * (the thing counted, a group, a filter ...). Then every table is tried as the fact
 * table: roles are resolved against it and its parents, and the table that explains the
 * most of the question with the fewest joins wins. A question that no table explains
 * is refused rather than answered with a guess.
 */
import { GenerationFailedError } from '@flock/errors';
import type { Item } from './parse';
import type { QueryPlan } from './query-plan';
import type { SchemaIndex } from './schema-index';
import { assertUnderstood } from './planner/refusals';
import { candidateFacts, resolve } from './planner/resolve';
import { readRoles } from './planner/roles';
import { PREFIX, tablesHint, type Resolved } from './planner/shared';

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
  if (
    second &&
    second.problems.length === 0 &&
    Math.abs(second.score - best.score) < 1e-6 &&
    second.joins === best.joins &&
    second.plan.fact !== best.plan.fact
  ) {
    throw new GenerationFailedError(
      `${PREFIX}: it could be about '${best.plan.fact.name}' or '${second.plan.fact.name}'. Name the one you mean.`,
    );
  }
  return best.plan;
}
