import request from 'supertest';
import { ScriptedEngineStandIn, TEST_ADMIN_API_KEY, normalise, referenceRows } from '@flock/testing';
import { settle, startHarness, submit, useHarness } from './support/flock-harness';

describe('ask, end to end with the built-in generator (API + worker + Redis + DuckDB)', () => {
  const flock = useHarness();

  it('answers "How many active members do we have?" with the right count', async () => {
    const question = 'How many active members do we have?';
    const jobId = await submit(flock.app, 'example', question);
    const body = await settle(flock.app, 'example', jobId);
    const [[expected]] = (await referenceRows('example', "SELECT count(*) FROM member WHERE status = 'active'")) as [[number]];
    // referenceRows gives a number, so this also says the count is a JSON number, not a string.
    expect(body.data).toMatchObject({ job_id: jobId, status: 'completed', rows: [[expected]] });
    expect(body.data.generated_sql).toMatch(/^SELECT /);
    expect(body.meta).toMatchObject({ bucket: 'example', question, row_count: 1, total_rows: 1, truncated: false });
  });

  it('says in meta.ignored which words the answer did not use, and still answers', async () => {
    const question = 'How many payments were made in 2024?';
    const body = await settle(flock.app, 'example', await submit(flock.app, 'example', question));
    const [[expected]] = (await referenceRows('example', 'SELECT count(*) FROM payment WHERE year(paid_at) = 2024')) as [[number]];
    expect(body.data).toMatchObject({ status: 'completed', rows: [[expected]] });
    expect(body.meta.ignored).toEqual(['made']);
    expect(body.meta.explanation).toMatch(/\(not used: 'made'\)\.$/);
  });

  it('answers "How many members by type?" like the seed: a group column and a numeric count', async () => {
    const question = 'How many members by type?';
    const body = await settle(flock.app, 'example', await submit(flock.app, 'example', question));
    const expected = await referenceRows('example', 'SELECT membership_type, count(*) FROM member GROUP BY 1');
    expect(body.data.status).toBe('completed');
    expect(body.data.columns).toEqual(['membership_type', 'count']);
    expect(normalise(body.data.rows)).toEqual(normalise(expected));
    expect(body.meta).toMatchObject({ bucket: 'example', question });
  });

  it('answers "Total payments by currency for 2024" with exact sums', async () => {
    const question = 'Total payments by currency for 2024';
    const body = await settle(flock.app, 'example', await submit(flock.app, 'example', question));
    const expected = await referenceRows(
      'example',
      'SELECT currency, sum(amount)::DOUBLE FROM payment WHERE year(paid_at) = 2024 GROUP BY 1',
    );
    expect(body.data.status).toBe('completed');
    expect(body.data.columns[0]).toBe('currency');
    expect(normalise(body.data.rows)).toEqual(normalise(expected));
  });

  it('keeps tenants apart: the same question gives each bucket its own answer', async () => {
    const question = 'How many members do we have?';
    const [a, b] = await Promise.all([submit(flock.app, 'example', question), submit(flock.app, 'jec', question)]);
    const [bodyA, bodyB] = await Promise.all([settle(flock.app, 'example', a), settle(flock.app, 'jec', b)]);
    expect(bodyA.data.rows).toEqual(await referenceRows('example', 'SELECT count(*) FROM member'));
    expect(bodyB.data.rows).toEqual(await referenceRows('jec', 'SELECT count(*) FROM member'));
    expect(bodyA.data.rows).not.toEqual(bodyB.data.rows);
  });

  it('ends a question the schema cannot answer as generation_failed', async () => {
    const jobId = await submit(flock.app, 'example', 'Who will win the league next season?');
    const body = await settle(flock.app, 'example', jobId);
    expect(body).toEqual({
      data: { job_id: jobId, status: 'failed', error_code: 'generation_failed', error_message: expect.any(String) },
    });
    expect(body.data.error_message.length).toBeGreaterThan(10);
  });
});

describe('ask failure codes, with a scripted generator standing in for an external engine', () => {
  const script = {
    'delete everything': 'DELETE FROM member',
    'two statements': 'SELECT 1; SELECT 2',
    'read a file': "SELECT * FROM read_csv('/etc/passwd')",
    'unknown column': 'SELECT no_such_column FROM member',
    'runaway join': 'SELECT count(*) FROM range(1000000000) a, range(1000000000) b',
    'too many rows': 'SELECT * FROM range(100)',
  };
  const flock = useHarness(() => ({
    generator: new ScriptedEngineStandIn(script),
    env: { FLOCK_QUERY_TIMEOUT_SECONDS: '0.5', FLOCK_MAX_RESULT_ROWS: '10' },
  }));

  const failureOf = async (question: string) => {
    const body = await settle(flock.app, 'example', await submit(flock.app, 'example', question));
    return body.data as { status: string; error_code: string; error_message: string };
  };

  it.each([
    ['delete everything', 'validation_failed', /read-only SELECT/],
    ['two statements', 'validation_failed', /single SELECT statement may run, but the SQL holds 2/],
    ['read a file', 'execution_failed', /disabled by configuration/],
    ['unknown column', 'execution_failed', /no_such_column/],
    ['runaway join', 'query_timeout', /longer than 0.5 s/],
  ])('%s → %s', async (question, code, message) => {
    const failure = await failureOf(question);
    expect(failure).toMatchObject({ status: 'failed', error_code: code, error_message: expect.stringMatching(message) });
  });

  it('caps rows and says so', async () => {
    const body = await settle(flock.app, 'example', await submit(flock.app, 'example', 'too many rows'));
    expect(body.data.rows).toHaveLength(10);
    expect(body.meta).toMatchObject({ row_count: 10, total_rows: 100, truncated: true });
  });

  it('left the warehouse untouched after the refused write', async () => {
    const res = await referenceRows('example', 'SELECT count(*) > 0 FROM member');
    expect(res).toEqual([[true]]);
  });
});

describe('worker timeout', () => {
  it('reads a job nobody answered as worker_timeout once the limit has passed', async () => {
    const flock = startHarness({
      worker: false,
      env: { FLOCK_WORKER_TIMEOUT_SECONDS: '1', FLOCK_QUERY_TIMEOUT_SECONDS: '0.5' },
    });
    try {
      const jobId = await submit(flock.app, 'example', 'How many members do we have?');
      const early = await request(flock.app).get(`/api/v1/example/ask/jobs/${jobId}`).set('X-API-Key', TEST_ADMIN_API_KEY);
      expect(early.body.data.status).toBe('processing');
      await new Promise((r) => setTimeout(r, 1200));
      const late = await request(flock.app).get(`/api/v1/example/ask/jobs/${jobId}`).set('X-API-Key', TEST_ADMIN_API_KEY);
      expect(late.body).toEqual({
        data: {
          job_id: jobId,
          status: 'failed',
          error_code: 'worker_timeout',
          error_message: expect.stringMatching(/did not finish within 1 s/),
        },
      });
    } finally {
      await flock.close();
    }
  });
});
