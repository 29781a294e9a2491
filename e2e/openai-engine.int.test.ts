import { Redis } from 'ioredis';
import {
  normalise,
  questionOf,
  redisContents,
  referenceRows,
  systemOf,
  useChatCompletionsStandIn,
  type ChatReply,
  type ChatRequest,
} from '@flock/testing';
import { settle, submit, useHarness } from './support/flock-harness';

/**
 * The openai engine end to end: API, worker, Redis and the demo DuckDB warehouses are
 * real; only the LLM is a local chat-completions server (stand-in) that answers each
 * question as scripted here and records what it was sent.
 */

const API_KEY = 'sk-flock-e2e-secret-7c1d9f20a4b8';
const MODEL = 'stand-in-sql-model';

const Q = {
  premium: 'How many premium members do we have?',
  currency: 'What is the total of payments per currency?',
  moon: 'Which members joined on a full moon?',
  remove: 'Remove every member',
  rejected: 'How many events were there?',
};

const WRONG_CURRENCY_SQL = 'SELECT currency, sum(amount_eur) AS total FROM payment GROUP BY currency';
const RIGHT_CURRENCY_SQL = 'SELECT currency, sum(amount)::DOUBLE AS total FROM payment GROUP BY currency';

/** The stand-in's script: each question's reply, given the request and how many came before for that question. */
function script(request: ChatRequest, earlier: number): ChatReply {
  switch (questionOf(request)) {
    case Q.premium:
      return "Here is the query:\n\n```sql\nSELECT count(*) AS premium_members\nFROM member\nWHERE membership_type = 'Premium';\n```";
    case Q.currency: {
      if (earlier === 0) return WRONG_CURRENCY_SQL;
      // The correction must carry the failed SQL and the database's error; otherwise refuse, and the test fails.
      const [, , previous, correction] = request.body?.messages ?? [];
      const carried =
        previous?.role === 'assistant' &&
        previous.content === WRONG_CURRENCY_SQL &&
        correction?.role === 'user' &&
        correction.content.startsWith('That SQL failed: ') &&
        correction.content.includes('amount_eur');
      return carried ? RIGHT_CURRENCY_SQL : 'CANNOT_ANSWER: the correction request did not carry the error';
    }
    case Q.moon:
      return 'SELECT first_name FROM member WHERE moon_phase = 1';
    case Q.remove:
      return 'DELETE FROM member';
    case Q.rejected:
      // Providers echo the key they refused; none of this may reach the job.
      return { status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${API_KEY}` } }) };
    default:
      return 'CANNOT_ANSWER: unscripted question';
  }
}

describe('openai engine end to end, with a local chat-completions server standing in for the LLM', () => {
  const llm = useChatCompletionsStandIn({
    respond: (request) => {
      const question = questionOf(request);
      const earlier = llm.requests.filter((r) => questionOf(r) === question).length - 1;
      return script(request, earlier);
    },
  });
  const flock = useHarness(() => ({
    llm,
    env: { FLOCK_LLM_MODEL: MODEL, FLOCK_LLM_API_KEY: API_KEY, FLOCK_LLM_ATTEMPTS: '3', FLOCK_LLM_TIMEOUT_SECONDS: '10' },
  }));
  const jobIds: string[] = [];

  const ask = async (question: string) => {
    const jobId = await submit(flock.app, 'example', question);
    jobIds.push(jobId);
    return { jobId, body: await settle(flock.app, 'example', jobId) };
  };
  const requestsFor = (question: string) => llm.requests.filter((request) => questionOf(request) === question);

  it('answers with the SQL the model wrote, checked against the real warehouse', async () => {
    const { jobId, body } = await ask(Q.premium);
    const expected = await referenceRows('example', "SELECT count(*) FROM member WHERE membership_type = 'Premium'");
    expect(body.data).toEqual({
      job_id: jobId,
      status: 'completed',
      columns: ['premium_members'],
      rows: expected,
      generated_sql: "SELECT count(*) AS premium_members\nFROM member\nWHERE membership_type = 'Premium'",
    });
    expect(body.meta).toMatchObject({ bucket: 'example', question: Q.premium, generator: 'openai', row_count: 1 });
    expect(body.meta.prompt_chars).toBeGreaterThan(0);
    expect(body.meta).not.toHaveProperty('generation_attempts');

    const [request] = requestsFor(Q.premium);
    expect(requestsFor(Q.premium)).toHaveLength(1);
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions', authorization: `Bearer ${API_KEY}` });
    expect(request!.body).toMatchObject({ model: MODEL });
    // Not configured, so not sent: reasoning models refuse any temperature.
    expect(request!.body).not.toHaveProperty('temperature');
    // The schema comes from the bucket's own warehouse, values included.
    const system = systemOf(request!);
    expect(system).toMatch(/^member\(id INTEGER PK, .*membership_type VARCHAR \[[^\]]*'Premium'[^\]]*\].*\) rows=\d+$/m);
    expect(system).toMatch(/^payment\(.*member_id INTEGER → member\.id.*\) rows=\d+$/m);
  });

  it('corrects itself: the execution error goes back to the model and its second SQL is run', async () => {
    const { body } = await ask(Q.currency);
    expect(body.data.status).toBe('completed');
    expect(body.data.generated_sql).toBe(RIGHT_CURRENCY_SQL);
    expect(normalise(body.data.rows)).toEqual(
      normalise(await referenceRows('example', 'SELECT currency, sum(amount)::DOUBLE FROM payment GROUP BY 1')),
    );
    expect(body.meta).toMatchObject({ generator: 'openai', generation_attempts: 2 });

    const requests = requestsFor(Q.currency);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.body!.messages!.slice(1)).toEqual([
      { role: 'user', content: Q.currency },
      { role: 'assistant', content: WRONG_CURRENCY_SQL },
      { role: 'user', content: expect.stringMatching(/^That SQL failed: .*amount_eur.*\. Reply with a corrected single SELECT\.$/s) },
    ]);
  });

  it('gives up after FLOCK_LLM_ATTEMPTS wrong answers and stores the last error', async () => {
    const { jobId, body } = await ask(Q.moon);
    expect(body).toEqual({
      data: { job_id: jobId, status: 'failed', error_code: 'execution_failed', error_message: expect.stringContaining('moon_phase') },
    });
    const requests = requestsFor(Q.moon);
    expect(requests).toHaveLength(3);
    // Each try sees every earlier one.
    expect(requests.map((request) => request.body!.messages!.filter((m) => m.role === 'assistant').length)).toEqual([0, 1, 2]);
  });

  it('ends a reply that writes as validation_failed, and nothing is written', async () => {
    const [[before]] = (await referenceRows('example', 'SELECT count(*) FROM member')) as [[number]];
    const { jobId, body } = await ask(Q.remove);
    expect(body).toEqual({
      data: {
        job_id: jobId,
        status: 'failed',
        error_code: 'validation_failed',
        error_message: expect.stringMatching(/read-only SELECT/),
      },
    });
    expect(await referenceRows('example', 'SELECT count(*) FROM member')).toEqual([[before]]);
    expect(before).toBeGreaterThan(0);
  });

  it('ends a rejected API key as generation_failed, without the key', async () => {
    const { jobId, body } = await ask(Q.rejected);
    expect(body).toEqual({
      data: {
        job_id: jobId,
        status: 'failed',
        error_code: 'generation_failed',
        error_message: 'The language model endpoint rejected the API key (HTTP 401).',
      },
    });
    // An endpoint failure is not the model's mistake: there is nothing to correct, so no second try.
    expect(requestsFor(Q.rejected)).toHaveLength(1);
  });

  it('never stores the API key: not in Redis keys or values, not in any job result', async () => {
    expect(jobIds.length).toBeGreaterThanOrEqual(5);
    // The key was really in use: every request carried it.
    expect(llm.requests.length).toBeGreaterThan(0);
    expect(llm.requests.every((request) => request.authorization === `Bearer ${API_KEY}`)).toBe(true);

    for (const jobId of jobIds) {
      const body = await settle(flock.app, 'example', jobId);
      expect(JSON.stringify(body)).not.toContain(API_KEY);
    }

    const redis = new Redis(flock.env.REDIS_URL!);
    try {
      const contents = await redisContents(redis, flock.env.FLOCK_REDIS_PREFIX!);
      expect([...contents.keys()].some((key) => key.includes(':job:'))).toBe(true);
      for (const [key, value] of contents) {
        expect(key).not.toContain(API_KEY);
        expect(JSON.stringify(value)).not.toContain(API_KEY);
      }
    } finally {
      redis.disconnect();
    }
  });
});

describe('openai engine with an endpoint that never answers (local chat-completions server stand-in)', () => {
  const llm = useChatCompletionsStandIn({ respond: () => ({ hang: true }) });
  const flock = useHarness(() => ({ llm, env: { FLOCK_LLM_MODEL: MODEL, FLOCK_LLM_TIMEOUT_SECONDS: '0.5', FLOCK_LLM_ATTEMPTS: '3' } }));

  it('ends the job as generation_failed once FLOCK_LLM_TIMEOUT_SECONDS has passed', async () => {
    const jobId = await submit(flock.app, 'example', 'How many members do we have?');
    const body = await settle(flock.app, 'example', jobId);
    expect(body).toEqual({
      data: {
        job_id: jobId,
        status: 'failed',
        error_code: 'generation_failed',
        error_message: 'The language model did not answer within 0.5 s. Try again later.',
      },
    });
    expect(llm.requests).toHaveLength(1);
    // No key configured: no Authorization header.
    expect(llm.requests[0]).not.toHaveProperty('authorization');
  });
});

describe("openai engine with the tenant's data kept from the model (local chat-completions server stand-in)", () => {
  const llm = useChatCompletionsStandIn({
    respond: () => "SELECT count(*) AS premium_members FROM member WHERE membership_type ILIKE 'premium'",
  });
  const flock = useHarness(() => ({
    llm,
    env: { FLOCK_LLM_MODEL: MODEL, FLOCK_LLM_SEND_VALUES: 'false', FLOCK_LLM_TEMPERATURE: '0' },
  }));

  it('sends names, types and keys but no value or row count, with the configured temperature', async () => {
    const jobId = await submit(flock.app, 'example', Q.premium);
    const body = await settle(flock.app, 'example', jobId);
    expect(body.data.status).toBe('completed');
    const [request] = llm.requests;
    expect(request!.body).toMatchObject({ model: MODEL, temperature: 0 });
    const system = systemOf(request!);
    expect(system).toMatch(/^member\(id INTEGER PK, .*membership_type VARCHAR[,)]/m);
    expect(system).not.toMatch(/rows=\d/);
    // Not one value of the bucket's own data, which the default prompt lists.
    const values = await referenceRows('example', 'SELECT DISTINCT membership_type FROM member');
    for (const [value] of values) expect(system).not.toContain(String(value));
  });
});
