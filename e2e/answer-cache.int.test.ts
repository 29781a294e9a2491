import { rm } from 'node:fs/promises';
import { Redis } from 'ioredis';
import request from 'supertest';
import { TenantSlots, jobRecordKey } from '@flock/jobs';
import { useTempWarehouseDir, writeDuckDb } from '@flock/testing';
import { asAdmin, settle, submit, useHarness } from './support/flock-harness';

/**
 * The answer cache (issue 13, part 6), through the API and a worker on a real Redis and
 * real DuckDB files: a question asked again is answered from the earlier job's answer
 * while that job lives, and never across buckets, file versions or a turned-off cache.
 */
const members = (count: number) =>
  `CREATE TABLE member(id INTEGER PRIMARY KEY, name VARCHAR);
   INSERT INTO member SELECT i, 'member ' || i FROM range(${count}) AS r(i);`;

const warehouses = useTempWarehouseDir('answer-cache', { sql: { club: members(3), other: members(3) } });
const QUESTION = 'How many members do we have?';

async function ask(app: Parameters<typeof submit>[0], bucket: string, question: string) {
  const jobId = await submit(app, bucket, question);
  const body = await settle(app, bucket, jobId);
  expect(body.data.status).toBe('completed');
  return { jobId, body };
}

describe('with the cache on (the default)', () => {
  const flock = useHarness(() => ({ env: { FLOCK_WAREHOUSE_DIR: warehouses.dir, FLOCK_ANSWER_CACHE: 'true' } }), { perTest: true });

  it('answers the same question again from the cache, whatever its case, spacing or end punctuation', async () => {
    const first = await ask(flock.app, 'club', QUESTION);
    expect(first.body.meta.cached).toBe(false);
    const again = await ask(flock.app, 'club', '  how many MEMBERS do   we have ');
    // The API trims the question; the rest is kept as asked.
    expect(again.body.meta).toMatchObject({ cached: true, question: 'how many MEMBERS do   we have', generation_time_ms: 0 });
    expect(again.body.data).toEqual({ ...first.body.data, job_id: again.jobId });
    // Another question is another answer.
    expect((await ask(flock.app, 'club', 'How many members do we have in total?')).body.meta.cached).toBe(false);
  });

  it("never serves one bucket another bucket's answer", async () => {
    await ask(flock.app, 'club', QUESTION);
    expect((await ask(flock.app, 'other', QUESTION)).body.meta.cached).toBe(false);
  });

  it("asks afresh once the bucket's file is a new version", async () => {
    const before = await ask(flock.app, 'club', QUESTION);
    expect(before.body.data.rows).toEqual([[3]]);
    await rm(warehouses.file('club'));
    await writeDuckDb(warehouses.file('club'), members(5));
    const after = await ask(flock.app, 'club', QUESTION);
    expect(after.body.meta.cached).toBe(false);
    expect(after.body.data.rows).toEqual([[5]]);
    // Put back as it was, for the tests after this one.
    await rm(warehouses.file('club'));
    await writeDuckDb(warehouses.file('club'), members(3));
  });

  it('forgets an answer once the job that gave it has expired', async () => {
    const first = await ask(flock.app, 'club', QUESTION);
    const redis = new Redis(flock.env.REDIS_URL!);
    try {
      await redis.del(jobRecordKey(flock.env.FLOCK_REDIS_PREFIX!, first.jobId));
    } finally {
      redis.disconnect();
    }
    expect((await ask(flock.app, 'club', QUESTION)).body.meta.cached).toBe(false);
  });
});

describe("with the bucket's only ask slot taken", () => {
  const flock = useHarness(
    // A strict cap: no idle slot is lent, so a question that must run waits for the one slot.
    () => ({
      env: {
        FLOCK_WAREHOUSE_DIR: warehouses.dir,
        FLOCK_ANSWER_CACHE: 'true',
        FLOCK_TENANT_CONCURRENCY: '1',
        FLOCK_TENANT_BORROW_SHARE: '0',
      },
    }),
    { perTest: true },
  );

  it('answers a cached question at once, while a new question waits for the slot', async () => {
    await ask(flock.app, 'club', QUESTION);
    const redis = new Redis(flock.env.REDIS_URL!);
    const slots = new TenantSlots(redis, { prefix: flock.env.FLOCK_REDIS_PREFIX!, leaseMs: 60_000 });
    try {
      // As if a long query of the bucket's held its one slot.
      expect(await slots.acquire('club', 'ask', 'a-long-query', 1)).toBe('held');
      // The cached answer runs no query: it does not wait for the slot.
      expect((await ask(flock.app, 'club', QUESTION)).body.meta.cached).toBe(true);
      // A question that must run does.
      const fresh = await submit(flock.app, 'club', 'How many members do we have in total?');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const waiting = await asAdmin(request(flock.app).get(`/api/v1/club/ask/jobs/${fresh}`));
      expect(waiting.body.data.status).toBe('processing');
      await slots.release('club', 'ask', 'a-long-query', 1);
      const body = await settle(flock.app, 'club', fresh);
      expect(body.data.status).toBe('completed');
      expect(body.meta.cached).toBe(false);
    } finally {
      redis.disconnect();
    }
  });
});

describe('with FLOCK_ANSWER_CACHE=false', () => {
  const flock = useHarness(() => ({ env: { FLOCK_WAREHOUSE_DIR: warehouses.dir, FLOCK_ANSWER_CACHE: 'false' } }));

  it('generates and runs every question', async () => {
    expect((await ask(flock.app, 'club', QUESTION)).body.meta.cached).toBe(false);
    expect((await ask(flock.app, 'club', QUESTION)).body.meta.cached).toBe(false);
  });
});
