import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { testRedisUrl, uniquePrefix } from '@flock/testing';
import { jobPartsKey } from './ids';
import { CorruptJobRecordError, JobStore } from './job-store';

const HOUR_MS = 3_600_000;
let redis: Redis;
let prefix: string;

const newJob = () => ({
  id: randomUUID(),
  kind: 'ask' as const,
  bucket: 'example',
  question: 'How many members?',
  owner: { type: 'user' as const, id: 'u1' },
});
const answer = { columns: ['count'], rows: [[1]], generated_sql: 'SELECT 1', meta: {} };

beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
beforeEach(() => {
  prefix = uniquePrefix('store');
});
afterAll(async () => {
  await redis.quit();
});

function store(workerTimeoutMs = 130_000) {
  return new JobStore(redis, { prefix, ttlMs: HOUR_MS, workerTimeoutMs });
}

async function expectHourExpiry(key: string): Promise<void> {
  const ttl = await redis.pttl(key);
  expect(ttl).toBeGreaterThan(HOUR_MS - 5_000);
  expect(ttl).toBeLessThanOrEqual(HOUR_MS);
}

it('creates a processing record that expires within the hour, and every write keeps that expiry', async () => {
  const jobs = store();
  const job = newJob();
  const created = await jobs.create(job);
  expect(created.status).toBe('processing');
  await expectHourExpiry(jobs.key(job.id));
  expect(await jobs.complete(job.id, answer)).toBe('stored');
  await expectHourExpiry(jobs.key(job.id));

  const failed = newJob();
  await jobs.create(failed);
  expect(await jobs.fail(failed.id, 'execution_failed', 'boom')).toBe('stored');
  await expectHourExpiry(jobs.key(failed.id));

  // No key this store wrote is left without an expiry.
  const keys = await redis.keys(`${prefix}:*`);
  expect(keys).toHaveLength(2);
  for (const key of keys) await expectHourExpiry(key);
});

it('round-trips the record, with owner and result', async () => {
  const jobs = store();
  const job = newJob();
  await jobs.create(job);
  await jobs.complete(job.id, answer);
  expect(await jobs.get(job.id)).toMatchObject({
    id: job.id,
    status: 'completed',
    bucket: 'example',
    question: 'How many members?',
    owner: { type: 'user', id: 'u1' },
    result: answer,
  });
});

it('accepts exactly one final answer', async () => {
  const jobs = store();
  const job = newJob();
  await jobs.create(job);
  const outcomes = await Promise.all([
    jobs.complete(job.id, answer),
    jobs.fail(job.id, 'execution_failed', 'late'),
    jobs.complete(job.id, answer),
  ]);
  expect(outcomes.filter((o) => o === 'stored')).toHaveLength(1);
  expect(outcomes.filter((o) => o === 'already_finished')).toHaveLength(2);
});

it('reads an overdue job as worker_timeout, and a late worker cannot overwrite it', async () => {
  const jobs = store(150);
  const job = newJob();
  await jobs.create(job);
  expect((await jobs.get(job.id))?.status).toBe('processing');
  await new Promise((r) => setTimeout(r, 250));
  const timedOut = await jobs.get(job.id);
  expect(timedOut).toMatchObject({ status: 'failed', errorCode: 'worker_timeout' });
  expect(timedOut?.errorMessage).toMatch(/did not finish within/);
  expect(await jobs.complete(job.id, answer)).toBe('already_finished');
  expect((await jobs.get(job.id))?.status).toBe('failed');
  await expectHourExpiry(jobs.key(job.id));
});

it('times a job out at finish time even when nobody polled it', async () => {
  const jobs = store(100);
  const job = newJob();
  await jobs.create(job);
  await new Promise((r) => setTimeout(r, 200));
  expect(await jobs.complete(job.id, answer)).toBe('timed_out');
  expect(await jobs.get(job.id)).toMatchObject({ status: 'failed', errorCode: 'worker_timeout' });
});

it('never recreates an expired or unknown job', async () => {
  const jobs = store();
  const id = randomUUID();
  expect(await jobs.get(id)).toBeUndefined();
  expect(await jobs.complete(id, answer)).toBe('missing');
  expect(await jobs.fail(id, 'execution_failed', 'x')).toBe('missing');
  expect(await redis.exists(jobs.key(id))).toBe(0);
});

it('refuses to create the same job twice', async () => {
  const jobs = store();
  const job = newJob();
  await jobs.create(job);
  await expect(jobs.create(job)).rejects.toThrow(/job exists/);
});

it("keeps a cross-tenant query in its own fields, SQL or question, never in an ask's", async () => {
  const jobs = store();
  const owner = { type: 'api_key' as const, id: 'ops' };
  const bySql = { id: randomUUID(), kind: 'query-all' as const, request: { sql: 'SELECT 1' }, table: 'member', owner };
  const byQuestion = { id: randomUUID(), kind: 'query-all' as const, request: { question: 'How many members?' }, owner };
  await jobs.create(bySql);
  await jobs.create(byQuestion);
  expect(await jobs.get(bySql.id)).toEqual({ ...bySql, status: 'processing', submittedAt: expect.any(Number) });
  expect(await jobs.get(byQuestion.id)).toEqual({ ...byQuestion, status: 'processing', submittedAt: expect.any(Number) });
  expect(await redis.hexists(jobs.key(bySql.id), 'bucket')).toBe(0);
});

it.each([
  ['owner', 'not json'],
  ['owner', '{"type":"admin","id":"x"}'],
  ['kind', 'export'],
  ['status', 'paused'],
  ['submitted_at', 'yesterday'],
])('reads a record whose %s is %j as corrupt rather than guessing', async (field, value) => {
  const jobs = store();
  const job = newJob();
  await jobs.create(job);
  await redis.hset(jobs.key(job.id), field, value);
  await expect(jobs.get(job.id)).rejects.toThrow(CorruptJobRecordError);
});

it('reads a record missing its bucket as corrupt, so it can never be shown to another bucket', async () => {
  const jobs = store();
  const job = newJob();
  await jobs.create(job);
  await redis.hdel(jobs.key(job.id), 'bucket');
  await expect(jobs.get(job.id)).rejects.toThrow(/'bucket' field/);
});

describe('parts of an answer', () => {
  const caps = { maxRows: 10, maxBytes: 1_000_000 };
  const part = (rows: number) => ({
    summary: { rows },
    rows: Array.from({ length: rows }, (_, i) => [i]),
    weight: { rows, bytes: rows * 4 },
    buckets: 2,
  });
  const keptRows = async (jobs: JobStore, jobId: string, count: number) =>
    (await jobs.getParts(jobId, count)).map((stored) => (stored ? ('rows' in stored ? 'rows' : 'summary') : 'none'));

  it('keeps every part while the first ones, in order, leave room under the caps', async () => {
    const jobs = store();
    const record = await jobs.create(newJob());
    // Stored out of order, with a gap: part 0 could still be empty, so nothing is cut.
    await jobs.putPart(record, 2, part(8), caps);
    await jobs.putPart(record, 1, part(6), caps);
    expect(await keptRows(jobs, record.id, 4)).toEqual(['none', 'rows', 'rows', 'none']);
    // Parts 0 and 1 hold exactly the row cap: the answer can take no row after them.
    await jobs.putPart(record, 0, part(4), caps);
    expect(await keptRows(jobs, record.id, 4)).toEqual(['rows', 'rows', 'summary', 'none']);
    await jobs.putPart(record, 3, part(5), caps);
    expect(await keptRows(jobs, record.id, 4)).toEqual(['rows', 'rows', 'summary', 'summary']);
    expect((await jobs.getParts(record.id, 4))[0]).toEqual({ summary: { rows: 4 }, rows: part(4).rows });
  });

  it('drops the rows of every later part once the parts before them overflow the caps, and never stores them again', async () => {
    const jobs = store();
    const record = await jobs.create(newJob());
    await jobs.putPart(record, 1, part(3), caps);
    await jobs.putPart(record, 2, part(3), caps);
    await jobs.putPart(record, 0, part(2), caps);
    expect(await keptRows(jobs, record.id, 4)).toEqual(['rows', 'rows', 'rows', 'none']);
    await jobs.putPart(record, 3, part(5), caps);
    expect(await keptRows(jobs, record.id, 5)).toEqual(['rows', 'rows', 'rows', 'rows', 'none']);
    // 2 + 3 + 3 + 5 rows are over the cap of 10: a part after them holds nothing the answer can use.
    await jobs.putPart(record, 4, part(1), caps);
    expect(await keptRows(jobs, record.id, 5)).toEqual(['rows', 'rows', 'rows', 'rows', 'summary']);
  });

  it('keeps the first store of a part: a redelivered chunk cannot change what the prefix counted', async () => {
    const jobs = store();
    const record = await jobs.create(newJob());
    await jobs.putPart(record, 0, part(3), { ...caps, maxRows: 2 });
    await jobs.putPart(record, 0, part(1), { ...caps, maxRows: 2 });
    await jobs.putPart(record, 1, part(1), { ...caps, maxRows: 2 });
    expect((await jobs.getParts(record.id, 1))[0]).toEqual({ summary: { rows: 3 }, rows: part(3).rows });
    expect(await keptRows(jobs, record.id, 2)).toEqual(['rows', 'summary']);
  });

  it("counts each part's buckets once towards the progress its plan set the total of", async () => {
    const jobs = store();
    const record = await jobs.create(newJob());
    expect(await jobs.progress(record.id)).toBeUndefined();
    await jobs.setProgressTotal(record, 6);
    expect(await jobs.progress(record.id)).toEqual({ done: 0, total: 6 });
    expect(await jobs.putPart(record, 1, part(1), caps)).toEqual({ done: 2, total: 6 });
    // A redelivered chunk adds nothing.
    expect(await jobs.putPart(record, 1, part(1), caps)).toEqual({ done: 2, total: 6 });
    expect(await jobs.putPart(record, 0, part(20), caps)).toEqual({ done: 4, total: 6 });
    expect(await jobs.progress(record.id)).toEqual({ done: 4, total: 6 });
    expect(await redis.pttl(jobPartsKey(prefix, record.id))).toBeGreaterThan(0);
    await jobs.dropParts(record.id, 2);
    expect(await jobs.progress(record.id)).toBeUndefined();
  });

  it('expires with the record, and is deleted whole once the answer is stored', async () => {
    const jobs = store();
    const record = await jobs.create(newJob());
    await jobs.putPart(record, 0, part(2), caps);
    await jobs.putPart(record, 1, part(20), caps);
    const keys = (await redis.keys(`${prefix}:*`)).filter((key) => key !== jobs.key(record.id));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) await expectHourExpiry(key);
    await jobs.dropParts(record.id, 2);
    expect(await redis.keys(`${prefix}:*`)).toEqual([jobs.key(record.id)]);
  });
});
