/**
 * Stands in for an external SQL engine (one behind an LLM endpoint, which tests cannot
 * reach) that returns whatever SQL it is told to, so tests can drive the validator and
 * sandbox with SQL the built-in engine would never write. Redis, BullMQ and DuckDB stay
 * real. It is a SqlGenerator of @flock/sql by shape, so this package need not depend on
 * @flock/sql (whose tests depend on this package).
 */
export class ScriptedEngineStandIn {
  readonly name = 'scripted';
  constructor(private readonly answers: Record<string, string>) {}

  async generate({ question }: { question: string }): Promise<{ sql: string }> {
    const sql = this.answers[question];
    if (sql === undefined) throw new Error(`no scripted SQL for: ${question}`);
    return { sql };
  }
}
