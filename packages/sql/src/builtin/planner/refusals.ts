/**
 * Phase 1, refusal checks: questions refused before any table is tried, because a word
 * that must mean something (what is counted, a filter's value) matches nothing.
 */
import type { Item } from '../parse';
import type { SchemaIndex } from '../schema-index';
import { GenerationFailedError } from '@flock/errors';
import { PREFIX, tablesHint, isCue, bestScore, isBreak } from './shared';

export function assertUnderstood(items: Item[], index: SchemaIndex): void {
  const strong = items.filter((it) => (it.k === 'ref' && bestScore(it.terms) >= 0.5) || it.k === 'value');
  if (strong.length === 0) {
    throw new GenerationFailedError(`${PREFIX}: none of its words match this warehouse's tables, columns or values. ${tablesHint(index)}`);
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
        throw new GenerationFailedError(
          `${PREFIX}: '${it.text}' does not match any table, column or value in this warehouse. ${tablesHint(index)}`,
        );
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
    const adjective =
      it.modifies && ((next?.k === 'ref' && bestScore(next.terms, (t) => t.kind === 'table') >= 0.9) || next?.k === 'value');
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
