import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import { createLogger } from '@flock/logger';
import { freePort } from '@flock/local-redis';
import { TEST_ADMIN_API_KEY, testConfig, testRedisUrl, waitFor } from '@flock/testing';
import { JobStore, jobRecordKey } from '@flock/jobs';
import { createApiContext, type ApiContext } from '../api-context';
import { createApp } from '../app';

const logger = createLogger('api-test', 'silent');
let context: ApiContext;
let app: Express;
let redis: Redis;
let prefix: string;

beforeAll(() => {
  const config = testConfig({ FLOCK_MAX_QUESTION_LENGTH: '200', FLOCK_BODY_LIMIT: '2kb' });
  prefix = config.redisPrefix;
  context = createApiContext(config, logger);
  app = createApp(context.deps);
  redis = new Redis(testRedisUrl());
});

afterAll(async () => {
  await context.close();
  await redis.quit();
});

const ask = (bucket: string) => request(app).post(`/api/v1/${bucket}/ask`).set('X-API-Key', TEST_ADMIN_API_KEY);
const get = (target: Express, url: string) => request(target).get(url).set('X-API-Key', TEST_ADMIN_API_KEY);
const envelope = (code: string, message: string | RegExp) => ({
  error: { code, message: typeof message === 'string' ? message : expect.stringMatching(message) },
});

describe('POST /api/v1/{bucket}/ask', () => {
  it('accepts a question with 202 and a job id', async () => {
    const res = await ask('example').send({ question: 'How many members do we have?' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ data: { job_id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'processing' } });
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('stores the job with a one-hour expiry and BullMQ removal by age', async () => {
    const res = await ask('example').send({ question: 'How many members do we have?' });
    const jobId = res.body.data.job_id as string;
    const ttl = await redis.pttl(jobRecordKey(prefix, jobId));
    expect(ttl).toBeGreaterThan(3_590_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
    const opts = JSON.parse((await redis.hget(`${prefix}:flock-ask:${jobId}`, 'opts')) ?? '{}');
    expect(opts.removeOnComplete).toEqual({ age: 3600, count: 10_000 });
    expect(opts.removeOnFail).toEqual({ age: 3600 });
  });

  it.each([
    ['a missing question', {}, "Missing 'question' field"],
    ['an empty question', { question: '' }, "'question' must not be empty"],
    ['a blank question', { question: '   ' }, "'question' must not be empty"],
    ['a non-string question', { question: 42 }, "'question' must be a string"],
    ['a too long question', { question: 'x'.repeat(201) }, "'question' must be at most 200 characters"],
    ['an array body', [{ question: 'hi' }], 'Request body must be a JSON object'],
    ['a null body', null, 'Request body must be a JSON object'],
  ])('answers 400 for %s', async (_label, body, message) => {
    const res = await ask('example').set('Content-Type', 'application/json').send(JSON.stringify(body));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(envelope('bad_request', message));
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await ask('example').set('Content-Type', 'application/json').send('{"question": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(envelope('bad_request', 'Request body is not valid JSON'));
  });

  it.each([
    ['gzip', Buffer.from('this is not gzip at all')],
    ['deflate', Buffer.from([0x78, 0x9c, 0xff, 0xff, 0x00])],
    ['br', Buffer.from('neither is this brotli')],
  ])('answers 400, not a 500, for a body declared %s that does not inflate', async (encoding, body) => {
    const res = await ask('example').set('Content-Type', 'application/json').set('Content-Encoding', encoding).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(envelope('bad_request', `Request body could not be decompressed as ${encoding}`));
  });

  it('answers 415 for a body that is not declared as JSON', async () => {
    const res = await ask('example').set('Content-Type', 'text/plain').send('How many members?');
    expect(res.status).toBe(415);
    expect(res.body).toEqual(envelope('unsupported_media_type', 'Request body must be JSON (Content-Type: application/json)'));
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await ask('example').send({ question: 'x'.repeat(4000) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual(envelope('payload_too_large', 'Request body is too large'));
  });

  it('answers 404 for a bucket without a warehouse', async () => {
    const res = await ask('no-such-bucket').send({ question: 'How many members?' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(envelope('not_found', 'Unknown bucket: no-such-bucket'));
  });

  it.each(['Example', '%2e%2e', '..%2Fexample', '_x', 'a'.repeat(64), 'exa%00mple'])(
    'answers 400 for the invalid bucket id %s',
    async (bucket) => {
      const res = await ask(bucket).send({ question: 'How many members?' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(envelope('bad_request', /^Invalid bucket id/));
    },
  );
});

describe('GET /api/v1/{bucket}/ask/jobs/{jobId}', () => {
  it('shows a submitted job as still running', async () => {
    const submitted = await ask('example').send({ question: 'How many members by type?' });
    const jobId = submitted.body.data.job_id;
    const res = await get(app, `/api/v1/example/ask/jobs/${jobId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { job_id: jobId, status: 'processing' } });
  });

  it('answers 404 for an unknown, malformed or other-bucket job id', async () => {
    const submitted = await ask('example').send({ question: 'How many members by type?' });
    const jobId = submitted.body.data.job_id;
    for (const [bucket, id] of [
      ['example', randomUUID()],
      ['example', 'not-a-uuid'],
      ['jec', jobId],
    ]) {
      const res = await get(app, `/api/v1/${bucket}/ask/jobs/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual(envelope('not_found', `Unknown job: ${id}`));
    }
  });
});

describe('the rest of the surface', () => {
  it('answers unknown routes with the envelope', async () => {
    const res = await get(app, '/api/v1/example/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(envelope('not_found', 'No route for GET /api/v1/example/nothing-here'));
  });

  it('is live and ready while Redis answers', async () => {
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });

  it('is not ready, with 503, while Redis is unreachable', async () => {
    const port = await freePort();
    const down = createApiContext(testConfig({ REDIS_URL: `redis://127.0.0.1:${port}` }), logger);
    try {
      const res = await request(createApp(down.deps)).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toEqual(envelope('service_unavailable', 'Redis is unreachable'));
      expect((await request(createApp(down.deps)).get('/healthz')).status).toBe(200);
    } finally {
      await down.close();
    }
  });

  it('turns an unexpected error into a generic 500 with an error id and no stack', async () => {
    // A service that breaks in a way no code path anticipates; Redis, BullMQ and DuckDB stay real elsewhere.
    const broken = createApp({
      ...context.deps,
      ask: { submit: () => Promise.reject(new TypeError('secret internals at /src/x.ts:1')) } as never,
    });
    const res = await request(broken)
      .post('/api/v1/example/ask')
      .set('X-API-Key', TEST_ADMIN_API_KEY)
      .send({ question: 'How many members?' });
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe('internal_error');
    expect(res.body.error.message).toMatch(/^An unexpected error occurred\. Quote error id [0-9a-f-]{36} when reporting it\.$/);
    expect(JSON.stringify(res.body)).not.toMatch(/secret internals|\.ts:/);
  });

  it('mounts Bull Board at /admin/queues', async () => {
    const res = await get(app, '/admin/queues/api/queues');
    expect(res.status).toBe(200);
    expect(res.body.queues.map((q: { name: string }) => q.name).sort()).toEqual([
      'flock-ask',
      'flock-query',
      'flock-query-all',
      'flock-query-all-chunk',
      'flock-query-all-merge',
      'flock-schema',
      'flock-webhook',
    ]);
  });
});

describe('GET /api/v1/{bucket}/ask/jobs/{id}?wait_ms (held poll)', () => {
  // As the ask worker stores it: every poll is checked against the OpenAPI document.
  const answer = {
    columns: ['n'],
    rows: [[1]],
    generated_sql: 'SELECT 1 AS n',
    meta: {
      bucket: 'example',
      question: 'How many members do we have?',
      row_count: 1,
      total_rows: 1,
      truncated: false,
      generator: 'builtin',
      generation_time_ms: 1,
      execution_time_ms: 1,
      duration_ms: 2,
    },
  };
  const store = () => new JobStore(redis, { prefix, ttlMs: 3_600_000, workerTimeoutMs: 130_000 });

  it('answers as soon as the job finishes, not at the end of the wait', async () => {
    const jobId = (await ask('example').send({ question: 'How many members do we have?' })).body.data.job_id as string;
    const held = get(app, `/api/v1/example/ask/jobs/${jobId}?wait_ms=15000`).then((res) => res);
    // Finished while the poll is held: with no wake-up it would answer `processing` after 15 s.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await store().complete(jobId, answer);
    const res = await held;
    expect(res.status).toBe(200);
    expect(res.body.data.status).toBe('completed');
  });

  it('answers `processing` when the wait runs out first', async () => {
    const jobId = (await ask('example').send({ question: 'How many members do we have?' })).body.data.job_id as string;
    const res = await get(app, `/api/v1/example/ask/jobs/${jobId}?wait_ms=50`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ job_id: jobId, status: 'processing' });
  });

  it('checks the caller before waiting: an unknown or foreign job is a 404 at once', async () => {
    const jobId = (await ask('example').send({ question: 'How many members do we have?' })).body.data.job_id as string;
    const res = await get(app, `/api/v1/other-bucket/ask/jobs/${jobId}?wait_ms=15000`);
    expect(res.status).toBe(404);
  });

  it('lets the wait go when the client goes away, rather than hold it to the end', async () => {
    const jobId = (await ask('example').send({ question: 'How many members do we have?' })).body.data.job_id as string;
    const held = get(app, `/api/v1/example/ask/jobs/${jobId}?wait_ms=15000`).timeout(500);
    const gone = held.then(
      () => 'answered',
      () => 'gone',
    );
    await waitFor(async () => context.deps.finishes.waiting === 1, { what: 'the wait to be held' });
    expect(await gone).toBe('gone');
    await waitFor(async () => context.deps.finishes.waiting === 0, { what: 'the wait to be let go', timeoutMs: 2_000 });
  });

  it.each(['abc', '-1', '20001', '1.5'])('refuses wait_ms=%s with 400 bad_request', async (value) => {
    const res = await get(app, `/api/v1/example/ask/jobs/${randomUUID()}?wait_ms=${value}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(envelope('bad_request', "'wait_ms' must be a whole number of milliseconds from 0 to 20000"));
  });
});

describe('POST /api/v1/{bucket}/ask?wait_ms (answer in one call)', () => {
  const store = () => new JobStore(redis, { prefix, ttlMs: 3_600_000, workerTimeoutMs: 130_000 });
  const queued = () => redis.lrange(`${prefix}:flock-ask:wait`, 0, -1);

  /** The id of the job the held POST queued, once it is in the queue (no worker runs here). */
  async function queuedJob(before: string[]): Promise<string> {
    for (;;) {
      const fresh = (await queued()).filter((id) => !before.includes(id));
      if (fresh.length > 0) return fresh[0]!;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('answers 200 with the finished job as soon as it finishes', async () => {
    const before = await queued();
    const held = ask('example')
      .query({ wait_ms: 15000 })
      .send({ question: 'How many members do we have?' })
      .then((res) => res);
    const jobId = await queuedJob(before);
    await store().fail(jobId, 'generation_failed', 'Could not tell what to count.');
    const res = await held;
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ job_id: jobId, status: 'failed', error_code: 'generation_failed' });
  });

  it('answers 202, as without it, when the wait runs out first', async () => {
    const res = await ask('example').query({ wait_ms: 50 }).send({ question: 'How many members do we have?' });
    expect(res.status).toBe(202);
    expect(res.body.data).toEqual({ job_id: expect.any(String), status: 'processing' });
    expect(await redis.exists(jobRecordKey(prefix, res.body.data.job_id as string))).toBe(1);
  });

  it('lets the wait go when the client goes away; the job stays queued', async () => {
    const before = await queued();
    const held = ask('example').query({ wait_ms: 15000 }).timeout(500).send({ question: 'How many members do we have?' });
    const gone = held.then(
      () => 'answered',
      () => 'gone',
    );
    const jobId = await queuedJob(before);
    expect(await gone).toBe('gone');
    await waitFor(async () => context.deps.finishes.waiting === 0, { what: 'the wait to be let go', timeoutMs: 2_000 });
    expect(await queued()).toContain(jobId);
    expect(await redis.exists(jobRecordKey(prefix, jobId))).toBe(1);
  });

  it.each(['abc', '20001'])('refuses wait_ms=%s with 400 bad_request, and queues nothing', async (value) => {
    const before = (await queued()).length;
    const res = await ask('example').query({ wait_ms: value }).send({ question: 'How many members do we have?' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(envelope('bad_request', "'wait_ms' must be a whole number of milliseconds from 0 to 20000"));
    expect((await queued()).length).toBe(before);
  });
});
