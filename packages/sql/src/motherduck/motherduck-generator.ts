import { GenerationFailedError, firstLine, formatSeconds, timeLeft } from '@flock/errors';
import type { GeneratedSql, GenerationRequest, SqlGenerator } from '../generator';
import { MotherDuckSessionError, motherDuckDatabase, withMotherDuckDatabase, type MotherDuckConnector } from '@flock/motherduck';
import { promptSqlStatement } from './prompt-sql-statement';
import type { Example, GlossaryTerm } from '@flock/knowledge';
import { nearestExamples } from '../knowledge/examples';
import { mentionedTerms } from '../knowledge/glossary';

const MAX_CONTEXT_TERMS = 10;
const MAX_CONTEXT_EXAMPLES = 2;

export interface MotherDuckSqlGeneratorOptions {
  connector: MotherDuckConnector;
  /** Bucket → MotherDuck database (FLOCK_MOTHERDUCK_DATABASES). Default none: every bucket uses the database of its own name. */
  databases?: Readonly<Record<string, string>>;
  /** One question (connect, USE, prompt_sql) is abandoned after this long. Default 30 s, as FLOCK_LLM_TIMEOUT_SECONDS: prompt_sql is one LLM call. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * MotherDuck's `prompt_sql()`: the question goes to MotherDuck, which writes SQL from
 * the schema of the bucket's MotherDuck database. The SQL comes back to the caller to
 * be validated and run like any engine's; nothing it says is run here.
 */
export class MotherDuckSqlGenerator implements SqlGenerator {
  readonly name = 'motherduck';
  // prompt_sql cannot be shown a failed try, so asking again would only repeat the cost.
  readonly maxAttempts = 1;
  private readonly timeoutMs: number;

  constructor(private readonly options: MotherDuckSqlGeneratorOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async generate(request: GenerationRequest): Promise<GeneratedSql> {
    const database = motherDuckDatabase(request.bucket, this.options.databases);
    // prompt_sql takes a question and a table list, nothing else: the tenant's definitions and nearest examples ride in the question.
    const terms = mentionedTerms(request.question, request.knowledge?.glossary ?? []).slice(0, MAX_CONTEXT_TERMS);
    const examples = nearestExamples(request.question, request.knowledge?.examples ?? [], MAX_CONTEXT_EXAMPLES);
    const call = promptSqlStatement(
      withContext(request.question, terms, examples),
      request.schema.tables.map((table) => table.name),
    );
    const { connector } = this.options;
    const timeoutMs = timeLeft(this.timeoutMs, request.deadline);
    if (timeoutMs <= 0) throw new GenerationFailedError('The job ran out of time before MotherDuck could be asked.');
    let rows: Record<string, unknown>[];
    try {
      rows = await withMotherDuckDatabase(connector, database, timeoutMs, async (connection) => {
        const reader = await connection.runAndReadAll(call.sql, call.values);
        return reader.getRowObjectsJS();
      });
    } catch (error) {
      throw this.failure(error, database, timeoutMs);
    }
    const sql = rows[0]?.query;
    if (typeof sql !== 'string' || sql.trim() === '') {
      throw new GenerationFailedError('MotherDuck returned no SQL for that question. Rephrase it, or name the data you mean.');
    }
    return { sql: sql.trim(), ...(examples.length > 0 ? { knowledge: { examples_shown: examples.length } } : {}) };
  }

  close(): void {
    this.options.connector.close();
  }

  private failure(error: unknown, database: string, timeoutMs: number): GenerationFailedError {
    if (error instanceof MotherDuckSessionError) {
      const timeout = `MotherDuck did not write SQL within ${formatSeconds(timeoutMs)}. Try again, or ask a simpler question.`;
      return new GenerationFailedError(error.describe(database, timeout).message);
    }
    return new GenerationFailedError(`MotherDuck's prompt_sql failed: ${this.options.connector.redact(firstLine(error))}`);
  }
}

/** The question, then what the tenant defined for its words and the SQL of its nearest saved examples. */
export function withContext(question: string, terms: readonly GlossaryTerm[], examples: readonly Example[]): string {
  if (terms.length === 0 && examples.length === 0) return question;
  const lines = [question, ''];
  if (terms.length > 0) {
    lines.push('Definitions from the owners of this database:');
    for (const term of terms) lines.push(`- "${term.term}" (${term.kind} on table ${term.table}): ${term.sql}`);
  }
  if (examples.length > 0) {
    lines.push('Questions asked before, with SQL that answers them:');
    for (const example of examples) lines.push(`- ${example.question} => ${example.sql}`);
  }
  return lines.join('\n');
}
