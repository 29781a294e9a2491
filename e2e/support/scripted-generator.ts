import type { GeneratedSql, SqlGenerator } from '@flock/sql';

/**
 * Stands in for an external engine (an LLM endpoint) that returns whatever SQL it is
 * told to, so tests can drive the validator and sandbox with SQL the built-in engine
 * would never write. Redis, BullMQ and DuckDB stay real.
 */
export class ScriptedGenerator implements SqlGenerator {
  readonly name = 'scripted';
  constructor(private readonly answers: Record<string, string>) {}

  async generate({ question }: { question: string }): Promise<GeneratedSql> {
    const sql = this.answers[question];
    if (sql === undefined) throw new Error(`no scripted SQL for: ${question}`);
    return { sql };
  }
}
