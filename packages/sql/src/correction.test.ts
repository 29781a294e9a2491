import { ExecutionFailedError, GenerationFailedError, QueryTimeoutError, ValidationFailedError } from '@flock/errors';
import { generateAndRun } from './correction';
import type { GenerationRequest, SqlGenerator } from './generator';

/** An engine that answers from a script and records what it was shown. */
function scripted(replies: string[], maxAttempts: number): SqlGenerator & { seen: GenerationRequest[] } {
  const seen: GenerationRequest[] = [];
  return {
    name: 'scripted',
    maxAttempts,
    seen,
    async generate(request) {
      seen.push(request);
      const sql = replies[seen.length - 1];
      if (sql === undefined) throw new GenerationFailedError('out of replies');
      return { sql };
    },
  };
}

const request = { question: 'q', bucket: 'b', schema: { tables: [] } };

describe('generateAndRun', () => {
  it('shows the engine each refusal and database error, then returns the run that worked', async () => {
    const engine = scripted(['DELETE FROM t', 'SELECT nope FROM t', 'SELECT 1'], 3);
    const run = async (sql: string) => {
      if (sql.startsWith('DELETE')) throw new ValidationFailedError('not a SELECT');
      if (sql.includes('nope')) throw new ExecutionFailedError('no column nope');
      return 'rows';
    };
    const outcome = await generateAndRun(engine, request, run);
    expect(outcome).toEqual({ generated: { sql: 'SELECT 1' }, result: 'rows', attempts: 3, generationMs: expect.any(Number) });
    expect(engine.seen.map((r) => r.previousAttempts)).toEqual([
      [],
      [{ sql: 'DELETE FROM t', error: 'not a SELECT' }],
      [
        { sql: 'DELETE FROM t', error: 'not a SELECT' },
        { sql: 'SELECT nope FROM t', error: 'no column nope' },
      ],
    ]);
  });

  it('throws the last error once the attempts are spent', async () => {
    const engine = scripted(['SELECT a', 'SELECT b'], 2);
    await expect(
      generateAndRun(engine, request, async (sql) => {
        throw new ExecutionFailedError(`failed: ${sql}`);
      }),
    ).rejects.toThrow('failed: SELECT b');
    expect(engine.seen).toHaveLength(2);
  });

  it('gives an engine with one attempt no second try', async () => {
    const engine = scripted(['SELECT a', 'SELECT b'], 1);
    await expect(generateAndRun(engine, request, async () => Promise.reject(new ExecutionFailedError('x')))).rejects.toThrow('x');
    expect(engine.seen).toHaveLength(1);
  });

  it('does not retry a timeout or an unexpected error', async () => {
    const timeouts = scripted(['SELECT a', 'SELECT b'], 3);
    await expect(generateAndRun(timeouts, request, async () => Promise.reject(new QueryTimeoutError('slow')))).rejects.toThrow('slow');
    expect(timeouts.seen).toHaveLength(1);
    const crashes = scripted(['SELECT a', 'SELECT b'], 3);
    await expect(generateAndRun(crashes, request, async () => Promise.reject(new Error('bug')))).rejects.toThrow('bug');
    expect(crashes.seen).toHaveLength(1);
  });
});
