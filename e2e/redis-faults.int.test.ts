import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '@flock/jobs';
import { Redis } from 'ioredis';
import { startLocalRedis, type LocalRedis } from '@flock/local-redis';
import { TEST_ADMIN_API_KEY, logEntries, waitFor } from '@flock/testing';
import { settle, startHarness, submit, type Harness } from './support/flock-harness';

/**
 * Redis refusing writes, then gone, then back: each test runs Flock on a private
 * redis-server it can fill, stop and start again on the same port.
 */
let redis: LocalRedis;
let flock: Harness;
let aofDir: string | undefined;

async function setUp(options: { persist?: boolean; worker?: boolean } = {}): Promise<void> {
  aofDir = options.persist ? mkdtempSync(path.join(os.tmpdir(), 'flock-redis-aof-')) : undefined;
  redis = await startLocalRedis({ aofDir });
  flock = startHarness({ worker: options.worker, env: { REDIS_URL: redis.url } });
}

afterEach(async () => {
  await flock.close();
  await redis.stop();
  if (aofDir) rmSync(aofDir, { recursive: true, force: true });
});

const ask = () =>
  request(flock.app).post('/api/v1/example/ask').set('X-API-Key', TEST_ADMIN_API_KEY).send({ question: 'How many members?' });
const poll = (jobId: string) => request(flock.app).get(`/api/v1/example/ask/jobs/${jobId}`).set('X-API-Key', TEST_ADMIN_API_KEY);

function expectUnavailable(res: request.Response): void {
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.body).toEqual({
    error: { code: 'service_unavailable', message: 'Flock cannot reach its job store right now. Try again shortly.' },
  });
}

it('answers 503 to new work while Redis refuses writes, still serves finished jobs, and takes work again once it can write', async () => {
  await setUp();
  const answered = await submit(flock.app, 'example', 'How many members do we have?');
  const before = await settle(flock.app, 'example', answered);
  expect(before.data.status).toBe('completed');

  const admin = new Redis(redis.url);
  try {
    // Full, with the noeviction policy BullMQ requires: every write is refused.
    await admin.config('SET', 'maxmemory', '1');
    expectUnavailable(await ask());
    // A read still works: the rate limiter counts in-process rather than fail it.
    const during = await poll(answered);
    expect(during.status).toBe(200);
    expect(during.body).toEqual(before);
    const ready = await request(flock.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error).toEqual({ code: 'service_unavailable', message: 'Redis is refusing writes' });
    expect((await request(flock.app).get('/healthz')).status).toBe(200);

    await admin.config('SET', 'maxmemory', '0');
    expect((await request(flock.app).get('/readyz')).status).toBe(200);
    const after = await submit(flock.app, 'example', 'How many members do we have?');
    expect((await settle(flock.app, 'example', after)).data.status).toBe('completed');
  } finally {
    await admin.quit();
  }
});

it('answers 503, never 404, while Redis is down, and recovers on its own once Redis is back', async () => {
  await setUp();
  const accepted = await submit(flock.app, 'example', 'How many members do we have?');
  expect((await settle(flock.app, 'example', accepted)).data.status).toBe('completed');

  await redis.stop();
  expectUnavailable(await ask());
  // The job exists; Flock cannot say so now, and must not say it does not.
  expectUnavailable(await poll(accepted));
  const ready = await request(flock.app).get('/readyz');
  expect(ready.status).toBe(503);
  expect(ready.body.error).toEqual({ code: 'service_unavailable', message: 'Redis is unreachable' });
  expect((await request(flock.app).get('/healthz')).status).toBe(200);

  redis = await startLocalRedis({ port: redis.port });
  await waitFor(async () => (await request(flock.app).get('/readyz')).status === 200, { timeoutMs: 10_000, what: 'the API to reconnect' });
  // The worker reconnected too: a new ask is answered, with no Flock process restarted.
  const after = await submit(flock.app, 'example', 'How many members do we have?');
  expect((await settle(flock.app, 'example', after)).data.status).toBe('completed');
});

it('completes every accepted ask after Redis is killed and restarted on its own data, with no Flock process restarted', async () => {
  await setUp({ persist: true, worker: false });
  const worker = flock.spawnWorker();
  await flock.workersReady(QUEUE_NAMES.ask, 1);
  // Paused in Redis itself, so the asks are accepted and wait there, as in a backlog.
  const asks = new Queue(QUEUE_NAMES.ask, { connection: { url: redis.url }, prefix: flock.env.FLOCK_REDIS_PREFIX! });
  asks.on('error', () => undefined); // it reconnects while Redis is down
  try {
    await asks.pause();
    const accepted = [];
    for (let i = 0; i < 5; i++) accepted.push(await submit(flock.app, 'example', 'How many members do we have?'));

    await redis.kill();
    redis = await startLocalRedis({ port: redis.port, aofDir });
    await waitFor(async () => (await request(flock.app).get('/readyz')).status === 200, {
      timeoutMs: 10_000,
      what: 'the API to reconnect',
    });
    await asks.resume();

    for (const jobId of accepted) expect((await settle(flock.app, 'example', jobId, 30_000)).data.status).toBe('completed');
    expect(worker.child.exitCode).toBeNull();
  } finally {
    await asks.close();
  }
});

it('logs a few lines, not thousands, while Redis refuses the writes of a worker with jobs waiting', async () => {
  await setUp({ worker: false });
  for (let i = 0; i < 3; i++) await submit(flock.app, 'example', 'How many members do we have?');
  const admin = new Redis(redis.url);
  try {
    await admin.config('SET', 'maxmemory', '1');
    const worker = flock.spawnWorker();
    // The window the issue measured: five seconds of a worker retrying against a full Redis.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const stderrLines = worker.stderr.join('').split('\n').filter(Boolean);
    expect(worker.lines.length + stderrLines.length).toBeLessThanOrEqual(100);
    const errors = logEntries(worker).filter((entry) => entry.level === 50);
    expect(errors.length).toBeGreaterThan(0);
    // Never a stack, a script or a payload: the type, code and first line of the error.
    for (const entry of errors) expect(JSON.stringify(entry)).not.toMatch(/\\n\s+at |redis\.call|rcall/);
  } finally {
    await admin.config('SET', 'maxmemory', '0');
    await admin.quit();
  }
}, 30_000);

it('logs a few lines, and nothing on stderr, while Redis is down under a worker', async () => {
  await setUp({ worker: false });
  const worker = flock.spawnWorker();
  await flock.workersReady(QUEUE_NAMES.ask, 1);
  const before = worker.lines.length;
  await redis.kill();
  // Every client of the worker's (queues, flows, event readers) reconnects in a loop;
  // each failure goes to its log once per interval, never to stderr with a stack.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  expect(worker.stderr.join('')).toBe('');
  expect(worker.lines.length - before).toBeLessThanOrEqual(100);
  expect(logEntries(worker, { event: 'redis_error' }).length).toBeGreaterThan(0);
  redis = await startLocalRedis({ port: redis.port });
  await waitFor(async () => (await request(flock.app).get('/readyz')).status === 200, { timeoutMs: 10_000, what: 'the API to reconnect' });
}, 30_000);
