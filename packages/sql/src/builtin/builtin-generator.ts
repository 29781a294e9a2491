import { GenerationFailedError } from '@flock/errors';
import type { GeneratedSql, GenerationRequest, SqlGenerator } from '../generator';
import type { FoundValue, SchemaContext } from '@flock/schema';
import { interpret } from './interpret';
import { parseItems } from './parse';
import { render } from './render';
import { schemaIndex } from './schema-index';
import { tokenize } from '../text/tokenize';
import { isWriteRequest } from './write-intent';
import { readSingleTable } from './clause/reader';
import { valueIndex } from './clause/value-index';
import { wordnet } from './language/wordnet';
import { readWords } from './clause/words';
import { typedNames } from './clause/value-index';
import { unexplainedWords } from './plan-ledger';
import { matchingExample } from '../knowledge/examples';
import { viewWithGlossary, withGlossaryColumns } from '../knowledge/glossary';
import { warmUpQuestions } from './warm-up';

/**
 * A deterministic, offline semantic parser: SchemaContext in, one SELECT out. All it
 * knows about a warehouse comes from the SchemaContext (names, types, keys and the
 * listed values of text columns); the rest is general English. When it is not sure
 * what a question means it refuses instead of guessing, since a plausible wrong
 * answer is worse than none.
 */
export class BuiltinSqlGenerator implements SqlGenerator {
  readonly name = 'builtin';
  readonly local = true;

  async generate(request: GenerationRequest): Promise<GeneratedSql> {
    const { knowledge } = request;
    const example = knowledge ? matchingExample(request.question, knowledge.examples) : undefined;
    if (example) {
      // The tenant's own SQL for this very question; the caller validates and sandboxes it like any other.
      return {
        sql: example.sql,
        explanation: `Answered with the SQL of the saved example "${example.question}", which asks the same.`,
        knowledge: { example_id: example.id },
      };
    }
    // Glossary terms become columns of their tables (see viewWithGlossary).
    const view = viewWithGlossary(request.question, request.schema, knowledge?.glossary ?? []);
    // Names in columns too varied to list are looked up in the warehouse first, boundedly.
    const found = request.findValues && hasOverflowColumns(view.schema) ? await request.findValues(typedNames(view.question)) : [];
    // The engine's own SQL has small constants; a glossary term's is the tenant's.
    const generated = { ...generateSql(view.question, view.schema, found), smallConstants: true };
    if (view.columns.length === 0) return generated;
    const { sql, terms } = withGlossaryColumns(generated.sql, view);
    return terms.length === 0 ? generated : { ...generated, sql, smallConstants: false, knowledge: { terms } };
  }

  /** Generations left to the warm-up (see prepare); spent on the first schemas prepared. */
  private warmUpsLeft = WARM_UP_GENERATIONS;

  /**
   * Builds the schema's word and value indexes (about 4 ms on a demo bucket), kept with
   * the schema object, and reads WordNet's index if this process has not yet: otherwise
   * the first question with an adjective on each worker took 40 ms longer.
   *
   * The first schemas also warm the engine's code: until V8 has compiled it, a
   * generation takes 8-25 ms rather than about 1, and the first asks after a deploy paid
   * that. So each prepare generates a few questions written from the schema's own names
   * (warmUpQuestions) and throws them away, WARM_UP_GENERATIONS in all per engine. A
   * few per schema, because the worker answers asks while it prefetches: one long run
   * (60 took 250 ms at first) would stall their event loop.
   */
  prepare(schema: SchemaContext): void {
    wordnet.warm();
    const index = schemaIndex(schema);
    valueIndex(index);
    const questions = warmUpQuestions(index);
    for (let i = 0; this.warmUpsLeft > 0 && i < Math.min(questions.length, WARM_UP_PER_SCHEMA); i++) {
      this.warmUpsLeft--;
      try {
        generateSql(questions[i]!, schema);
      } catch {
        // A refusal runs the engine's code as well as an answer does.
      }
    }
  }
}

/** How many generations warm the engine's code, and how many one prepare() may run. */
const WARM_UP_GENERATIONS = 60;
const WARM_UP_PER_SCHEMA = 5;

/** Text that is SQL rather than a question: "SELECT * FROM t", "WITH x AS (...)", "PRAGMA ...". */
const SQL_TEXT = /^\s*(select\b(?=[^?]*\bfrom\b)(?=[^?]*[*();=<>])|with\s+\w+\s+as\s*\(|pragma\b|describe\s+\w+\s*;?\s*$)/i;

/** The synchronous core of BuiltinSqlGenerator; throws GenerationFailedError on refusal. */
export function generateSql(question: string, schema: SchemaContext, found: FoundValue[] = []): GeneratedSql {
  const text = question.trim();
  if (text.length === 0) throw new GenerationFailedError('The question is empty: ask something about your data.');
  if (SQL_TEXT.test(text)) {
    // Running SQL typed by the asker would bypass every rule of this engine; Flock writes the SQL.
    throw new GenerationFailedError('Ask the question in plain English; Flock writes and checks the SQL itself.');
  }
  const tokens = tokenize(text);
  if (isWriteRequest(text, tokens)) {
    throw new GenerationFailedError(
      'Flock only answers read-only questions about your data; it cannot change, add or delete anything. Ask a question such as "How many … are there?" instead.',
    );
  }
  if (schema.tables.length === 0) {
    throw new GenerationFailedError('Could not generate a query for that question: this warehouse has no tables yet.');
  }
  const index = schemaIndex(schema);
  // Single-table questions first: the clause reader accounts for every word itself.
  // Read once: the clause reader and the planner's ledger account for the same words.
  const words = readWords(text);
  const reading = readSingleTable(words, index, found);
  if (reading.ok)
    return { sql: reading.sql, explanation: reading.explanation, ...(reading.ignored.length > 0 ? { ignored: reading.ignored } : {}) };
  // A value two columns hold is ambiguous for any engine: say so rather than let the planner pick one.
  if (reading.definite) throw new GenerationFailedError(`Could not generate a query for that question: ${reading.reason}.`);
  // Joins, time grains and rankings across tables: the planner, held to the same ledger.
  const plan = interpret(parseItems(tokens, index), index);
  const unexplained = unexplainedWords(words, plan);
  if (unexplained.length > 0) {
    throw new GenerationFailedError(
      `Could not generate a query for that question: ${unexplained.map((w) => `'${w}'`).join(', ')} could not be placed in a query, and answering without ${unexplained.length === 1 ? 'it' : 'them'} would answer a different question.`,
    );
  }
  return render(plan, index);
}

function hasOverflowColumns(schema: SchemaContext): boolean {
  return schema.tables.some((table) => table.columns.some((column) => column.lookupOverflow));
}
