import { JobFailure } from '@flock/errors';
import type { FailedAttempt, GeneratedSql, GenerationRequest, SqlGenerator } from './generator';

/** Failures an engine may correct when it is shown them: its SQL was refused, or failed to run. */
const CORRECTABLE = new Set(['validation_failed', 'execution_failed']);

export interface CorrectedRun<R> {
  generated: GeneratedSql;
  result: R;
  /** Tries it took, 1 when the first SQL ran. */
  attempts: number;
  /** Time spent generating, over every try (not running the SQL). */
  generationMs: number;
}

/**
 * Generates SQL and runs it with `run` (which validates and executes it in the
 * sandbox). An engine with more than one attempt is shown each refusal or database
 * error and asked again; once its attempts are spent, the last error is thrown.
 * Shared by the worker's ask path and the eval, so both score the same loop.
 */
export async function generateAndRun<R>(
  generator: SqlGenerator,
  request: Omit<GenerationRequest, 'previousAttempts'>,
  run: (sql: string, generated: GeneratedSql) => Promise<R>,
): Promise<CorrectedRun<R>> {
  const maxAttempts = Math.max(1, generator.maxAttempts ?? 1);
  const previousAttempts: FailedAttempt[] = [];
  let generationMs = 0;
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const generated = await generator.generate({ ...request, previousAttempts: [...previousAttempts] });
    generationMs += performance.now() - started;
    try {
      return { generated, result: await run(generated.sql, generated), attempts: attempt, generationMs };
    } catch (error) {
      if (!(error instanceof JobFailure) || !CORRECTABLE.has(error.code) || attempt >= maxAttempts) throw error;
      previousAttempts.push({ sql: generated.sql, error: error.message });
    }
  }
}
