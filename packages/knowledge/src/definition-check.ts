import { JobFailure } from '@flock/errors';
import type { GlossaryTerm } from './knowledge';
import { columnIsTerm, definitionProblem, parsedShapeProblem, parseSql, probeSql, termProblem, typeProblem } from './term-sql';

/** A glossary definition that cannot be saved; its message says why, naming the term. */
export class DefinitionRefusedError extends Error {}

/** Runs one read-only SELECT on the bucket, validated and sandboxed; throws a JobFailure when the database refuses it. */
export type RunOnBucket = (sql: string) => Promise<{ columns: string[]; rows: unknown[][] }>;

type Definition = Pick<GlossaryTerm, 'kind' | 'sql'>;

/** The checks a definition meets before any database sees it: its term's name and its SQL's form. */
export function assertDefinable(name: string, definition: Definition): void {
  const problem = termProblem(name) ?? definitionProblem(definition.kind, definition.sql);
  if (problem) throw new DefinitionRefusedError(`Cannot define '${name}': ${problem}.`);
}

/**
 * The checks a definition meets on the bucket, in order, and the type of its row value:
 * it hides no column of its table, DuckDB's parse of it where it will stand is one
 * expression over that table, and the probe runs and gives a type that suits its kind.
 * The API runs these before it saves a term, and the eval before it uses one, so a
 * glossary is held to the same rules wherever it comes from.
 */
export async function definitionType(
  name: string,
  definition: Definition,
  table: { name: string; columns: readonly { name: string }[] },
  run: RunOnBucket,
): Promise<string> {
  const refuse = (reason: string) => new DefinitionRefusedError(`Cannot define '${name}': ${reason}`);
  const same = table.columns.find((c) => columnIsTerm(c.name, name));
  if (same) throw refuse(`table '${table.name}' already has a column '${same.name}', which the term would hide.`);
  const term = { ...definition, table: table.name };
  const parsed = await run(parseSql(term)).catch((error: unknown) => {
    throw error instanceof JobFailure ? refuse(error.message) : error;
  });
  const shape = parsedShapeProblem(parsed.rows[0]?.[0], table.name);
  if (shape) throw refuse(`${shape}.`);
  const probe = await run(probeSql(term)).catch((error: unknown) => {
    if (!(error instanceof JobFailure)) throw error;
    const aggregate = /GROUP BY/i.test(error.message) && term.kind !== 'measure';
    throw aggregate
      ? refuse(`a ${term.kind} is a value of each row, and this is an aggregate; define it as a measure.`)
      : new DefinitionRefusedError(`Cannot define '${name}' on table '${table.name}': ${error.message}`);
  });
  const [row] = probe.rows;
  if (probe.columns.length !== 1 || probe.columns[0] !== 'flock_type' || !row || typeof row[0] !== 'string') {
    throw refuse(`the definition must be one expression over table '${table.name}'.`);
  }
  const type = row[0];
  const typeIssue = typeProblem(definition, type);
  if (typeIssue) throw refuse(`${typeIssue}.`);
  return type;
}
