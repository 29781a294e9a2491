import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { Express } from 'express';
import { ApiKeyFile } from '@flock/auth';
import { jobRecordKey } from '@flock/jobs';
import { createLogger } from '@flock/logger';
import { TEST_ADMIN_API_KEY, captureLogs, mintToken, redisContents, testConfig, testRedisUrl, waitFor } from '@flock/testing';
import { createApiContext, type ApiContext } from '../api-context';
import { createApp } from '../app';

const contexts: ApiContext[] = [];
let redis: Redis;
let keysFile: string;
let exampleKey: string;
let jecKey: string;

/** An app on its own Redis prefix; `logs` keeps everything it writes to its log. */
function startApp(overrides: Record<string, string> = {}): { app: Express; logs: ReturnType<typeof captureLogs>; prefix: string } {
  const logs = captureLogs();
  const config = testConfig({ FLOCK_API_KEYS_FILE: keysFile, FLOCK_LOG_LEVEL: 'info', ...overrides });
  const context = createApiContext(config, createLogger('auth-test', 'info', logs.stream));
  contexts.push(context);
  return { app: createApp(context.deps), logs, prefix: config.redisPrefix };
}

const unauthorized = (message = 'Authentication required') => ({ error: { code: 'unauthorized', message } });
const forbidden = (bucket: string) => ({ error: { code: 'forbidden', message: `Access denied to bucket '${bucket}'` } });

beforeAll(async () => {
  redis = new Redis(testRedisUrl());
  keysFile = path.join(os.tmpdir(), `flock-auth-test-${randomUUID()}.json`);
  const file = new ApiKeyFile(keysFile);
  exampleKey = (await file.create({ name: 'example-service', buckets: ['example'], admin: false })).key;
  jecKey = (await file.create({ name: 'jec-service', buckets: ['jec'], admin: false })).key;
});

afterAll(async () => {
  await Promise.all(contexts.map((c) => c.close()));
  await redis.quit();
  rmSync(keysFile, { force: true });
});

describe('authentication', () => {
  let app: Express;
  beforeAll(() => {
    app = startApp().app;
  });
  const ask = () => request(app).post('/api/v1/example/ask');

  it('answers 401 with the seed envelope when no credentials are sent', async () => {
    const res = await ask().send({ question: 'How many members?' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(unauthorized());
  });

  it('answers 401 for a token and a key at once', async () => {
    const token = await mintToken({ sub: 'alice', buckets: ['example'] });
    const res = await ask().set('Authorization', `Bearer ${token}`).set('X-API-Key', exampleKey).send({ question: 'x?' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(unauthorized());
  });

  it.each([
    [
      'an expired token',
      () => mintToken({ sub: 'alice', buckets: ['example'] }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
      'Token has expired',
    ],
    ['a malformed token', async () => 'not.a.jwt', 'Invalid token'],
    [
      'a wrongly signed token',
      () => mintToken({ sub: 'alice', buckets: ['example'] }, { secret: 'another-secret-that-is-long-enough-0123456789' }),
      'Invalid token',
    ],
    [
      'an unsigned (alg none) token',
      async () =>
        `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'alice', buckets: ['*'], exp: 9999999999 })).toString('base64url')}.`,
      'Invalid token',
    ],
    ['a token without buckets', () => mintToken({ sub: 'alice' }), `Invalid token: 'buckets' must be an array of bucket ids, or ["*"]`],
    ['a token without sub', () => mintToken({ buckets: ['example'] }), 'Invalid token'],
  ])('answers 401 for %s', async (_label, token, message) => {
    const res = await ask()
      .set('Authorization', `Bearer ${await token()}`)
      .send({ question: 'How many members?' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(unauthorized(message));
  });

  it('answers 401 for an unknown API key', async () => {
    const res = await ask().set('X-API-Key', 'flk_not_a_real_key').send({ question: 'How many members?' });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(unauthorized('Invalid API key'));
  });

  it('guards every route but the health checks', async () => {
    expect((await request(app).get(`/api/v1/example/ask/jobs/${randomUUID()}`)).status).toBe(401);
    expect((await request(app).get('/admin/queues')).status).toBe(401);
    expect((await request(app).get('/nowhere')).status).toBe(401);
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
  });

  it('sets security headers, echoes a request id and hides X-Powered-By', async () => {
    const res = await request(app).get('/healthz').set('X-Request-Id', 'trace-123');
    expect(res.headers['x-request-id']).toBe('trace-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('bucket access', () => {
  let app: Express;
  beforeAll(() => {
    app = startApp().app;
  });
  const askAs = async (bucket: string, header: [string, string]) =>
    request(app)
      .post(`/api/v1/${bucket}/ask`)
      .set(...header)
      .send({ question: 'How many members?' });

  it('lets a user ask on a bucket the token names', async () => {
    const token = await mintToken({ sub: 'alice', buckets: ['example'] });
    expect((await askAs('example', ['Authorization', `Bearer ${token}`])).status).toBe(202);
  });

  it('answers the same 403 for a bucket the user lacks, whether it exists or not', async () => {
    const token = await mintToken({ sub: 'alice', buckets: ['example'] });
    const existing = await askAs('jec', ['Authorization', `Bearer ${token}`]);
    const missing = await askAs('ghost-club', ['Authorization', `Bearer ${token}`]);
    expect(existing.status).toBe(403);
    expect(existing.body).toEqual(forbidden('jec'));
    expect(missing.status).toBe(403);
    expect(missing.body).toEqual(forbidden('ghost-club'));
  });

  it('answers 404 for a missing bucket only to callers allowed on it', async () => {
    const everywhere = await mintToken({ sub: 'root', buckets: ['*'] });
    expect((await askAs('ghost-club', ['Authorization', `Bearer ${everywhere}`])).status).toBe(404);
    expect((await askAs('ghost-club', ['X-API-Key', TEST_ADMIN_API_KEY])).status).toBe(404);
    expect((await askAs('ghost-club', ['X-API-Key', exampleKey])).body).toEqual(forbidden('ghost-club'));
  });

  it('limits API keys to their buckets too', async () => {
    expect((await askAs('example', ['X-API-Key', exampleKey])).status).toBe(202);
    expect((await askAs('example', ['X-API-Key', jecKey])).body).toEqual(forbidden('example'));
  });
});

describe('job ownership', () => {
  let app: Express;
  let prefix: string;
  let jobId: string;
  let alice: string;
  beforeAll(async () => {
    ({ app, prefix } = startApp());
    alice = await mintToken({ sub: 'alice', buckets: ['example', 'jec'] });
    const res = await request(app)
      .post('/api/v1/example/ask')
      .set('Authorization', `Bearer ${alice}`)
      .send({ question: 'How many members?' });
    jobId = res.body.data.job_id;
  });
  const poll = (header: [string, string], bucket = 'example') =>
    request(app)
      .get(`/api/v1/${bucket}/ask/jobs/${jobId}`)
      .set(...header);

  it('records who submitted the job, never the credential', async () => {
    expect(JSON.parse((await redis.hget(jobRecordKey(prefix, jobId), 'owner'))!)).toEqual({ type: 'user', id: 'alice' });
  });

  it('lets the submitting user poll their job', async () => {
    const res = await poll(['Authorization', `Bearer ${alice}`]);
    expect(res.status).toBe(200);
    expect(res.body.data.job_id).toBe(jobId);
  });

  it('answers 404 to another user polling it, even one allowed on the bucket', async () => {
    const bob = await mintToken({ sub: 'bob', buckets: ['*'] });
    const res = await poll(['Authorization', `Bearer ${bob}`]);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: `Unknown job: ${jobId}` } });
  });

  it('lets an API key poll any job of a bucket it may use', async () => {
    expect((await poll(['X-API-Key', exampleKey])).status).toBe(200);
    expect((await poll(['X-API-Key', TEST_ADMIN_API_KEY])).status).toBe(200);
    expect((await poll(['X-API-Key', jecKey])).body).toEqual(forbidden('example'));
    expect((await poll(['X-API-Key', jecKey], 'jec')).status).toBe(404);
  });
});

describe('admin routes', () => {
  it('opens Bull Board to admin keys only', async () => {
    const { app } = startApp();
    const user = await mintToken({ sub: 'alice', buckets: ['*'] });
    const denied = { error: { code: 'forbidden', message: 'Admin API key required' } };
    expect((await request(app).get('/admin/queues/api/queues').set('X-API-Key', exampleKey)).body).toEqual(denied);
    expect((await request(app).get('/admin/queues/api/queues').set('Authorization', `Bearer ${user}`)).status).toBe(403);
    expect((await request(app).get('/admin/queues/api/queues')).body).toEqual(unauthorized());
    expect((await request(app).get('/admin/queues/api/queues').set('X-API-Key', TEST_ADMIN_API_KEY)).status).toBe(200);
  });
});

describe('rate limits', () => {
  it('limits asks per minute per caller with 429 and Retry-After, other callers unaffected', async () => {
    const { app } = startApp({ FLOCK_RATE_LIMIT_ASKS_PER_MINUTE: '2' });
    const ask = (key: string) => request(app).post('/api/v1/example/ask').set('X-API-Key', key).send({ question: 'How many members?' });
    expect((await ask(exampleKey)).status).toBe(202);
    expect((await ask(exampleKey)).status).toBe(202);
    const limited = await ask(exampleKey);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      error: { code: 'rate_limited', message: expect.stringMatching(/^Too many requests; retry in \d+ s$/) },
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await ask(TEST_ADMIN_API_KEY)).status).toBe(202);
  });

  it('refuses an address that keeps failing to authenticate, even with a good key, as it refuses a wrong one', async () => {
    const { app } = startApp({ FLOCK_RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '3' });
    const tables = (key: string) => request(app).get('/api/v1/example/tables').set('X-API-Key', key);
    for (let i = 0; i < 3; i++) expect((await tables(`flk_wrong_${i}`)).status).toBe(401);
    const over = await tables('flk_wrong_3');
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // A right key from the same address gets the same answer while the address is blocked.
    expect((await tables(exampleKey)).status).toBe(429);
    const token = await mintToken({ sub: 'mallory', buckets: ['example'] });
    expect((await request(app).get('/api/v1/example/tables').set('Authorization', `Bearer ${token}x`)).status).toBe(429);
    expect((await request(app).get('/api/v1/example/tables').set('Authorization', `Bearer ${token}`)).status).toBe(429);
  });

  it('switches every limit off at 0', async () => {
    const { app } = startApp({
      FLOCK_RATE_LIMIT_ASKS_PER_MINUTE: '0',
      FLOCK_RATE_LIMIT_REQUESTS_PER_SECOND: '0',
      FLOCK_RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '0',
    });
    // Each well past the defaults (30 asks a minute, 20 requests a second, 20 failed logins a minute).
    const asks = await Promise.all(
      Array.from({ length: 40 }, () =>
        request(app).post('/api/v1/example/ask').set('X-API-Key', exampleKey).send({ question: 'How many members?' }),
      ),
    );
    expect(asks.map((res) => res.status)).toEqual(Array(40).fill(202));
    for (let i = 0; i < 25; i++)
      expect((await request(app).get('/api/v1/example/tables').set('X-API-Key', `flk_wrong_${i}`)).status).toBe(401);
  });

  it('limits requests per second, shared across API replicas, and recovers', async () => {
    const first = startApp({ FLOCK_RATE_LIMIT_REQUESTS_PER_SECOND: '3' });
    const second = startApp({ FLOCK_RATE_LIMIT_REQUESTS_PER_SECOND: '3', FLOCK_REDIS_PREFIX: first.prefix });
    const poll = (app: Express) => request(app).get(`/api/v1/example/ask/jobs/${randomUUID()}`).set('X-API-Key', exampleKey);
    // Align to the start of a second so all four requests fall in one window.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
    const statuses = [
      (await poll(first.app)).status,
      (await poll(second.app)).status,
      (await poll(first.app)).status,
      (await poll(second.app)).status,
    ];
    expect(statuses).toEqual([404, 404, 404, 429]);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await poll(second.app)).status).toBe(404);
  });
});

describe('access log', () => {
  it('names the caller and the request once, also for a held ask the client abandons', async () => {
    const { app, logs } = startApp();
    // No worker answers: the held POST waits until the client gives up and closes.
    const abandoned = await request(app)
      .post('/api/v1/example/ask?wait_ms=10000')
      .set('X-API-Key', exampleKey)
      .timeout(300)
      .send({ question: 'How many members?' })
      .catch((error: { timeout?: number }) => error);
    expect(abandoned).toHaveProperty('timeout', 300);
    const line = await waitFor(
      async () =>
        logs
          .text()
          .split('\n')
          .find((text) => text.includes('wait_ms=10000')),
      {
        what: "the abandoned ask's access line",
      },
    );
    expect(line.match(/"requestId":/g)).toHaveLength(1);
    expect(JSON.parse(line).caller).toMatch(/^key:example-service\./);
  });
});

describe('secrets', () => {
  it('never writes a token or key to Redis or to the log', async () => {
    const { app, logs, prefix } = startApp();
    const token = await mintToken({ sub: 'carol', buckets: ['example'] });
    const submitted = await request(app)
      .post('/api/v1/example/ask')
      .set('Authorization', `Bearer ${token}`)
      .send({ question: 'How many members?' });
    await request(app).get(`/api/v1/example/ask/jobs/${submitted.body.data.job_id}`).set('Authorization', `Bearer ${token}`);
    await request(app).post('/api/v1/example/ask').set('X-API-Key', exampleKey).send({ question: 'How many members?' });
    await request(app).post('/api/v1/example/ask').set('Authorization', `Bearer ${token}`).set('X-API-Key', exampleKey).send({});
    await request(app).post('/api/v1/example/ask').set('X-API-Key', `${exampleKey}x`).send({});
    // Clients put credentials in URLs too; the access log must not keep them.
    await request(app).get(`/api/v1/example/tables?api_key=${exampleKey}&access_token=${token}`);

    const secrets = [token, exampleKey, token.split('.')[2]!];
    const stored = await redisContents(redis, `${prefix}:`);
    expect(stored.size).toBeGreaterThan(3);
    for (const [key, value] of stored) {
      const contents = JSON.stringify(value);
      for (const secret of secrets) {
        expect(key).not.toContain(secret);
        expect(contents).not.toContain(secret);
      }
    }
    // The callers were logged, by name only.
    const callers = logs.entries().map((entry) => entry.caller);
    expect(callers).toContain('user:carol');
    expect(callers.some((caller) => /^key:example-service\.[0-9a-f]{8}$/.test(String(caller)))).toBe(true);
    for (const secret of secrets) expect(logs.text()).not.toContain(secret);
    // Each access line names its request once: a key written twice makes a line that log stores refuse.
    const accessLines = logs
      .text()
      .split('\n')
      .filter((line) => line.includes('"request completed"'));
    expect(accessLines.length).toBeGreaterThan(3);
    for (const line of accessLines) expect(line.match(/"requestId":/g)).toHaveLength(1);
    expect(
      logs.entries().some((entry) => String((entry.req as { url?: string } | undefined)?.url).includes('api_key=%5Bredacted%5D')),
    ).toBe(true);
  });
});
