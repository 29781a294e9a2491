import { rm } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { jobRecordKey } from '@flock/jobs';
import { useTempWarehouseDir, writeDuckDb } from '@flock/testing';
import { settle, submit, useHarness } from './support/flock-harness';

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

describe('with FLOCK_ANSWER_CACHE=false', () => {
  const flock = useHarness(() => ({ env: { FLOCK_WAREHOUSE_DIR: warehouses.dir, FLOCK_ANSWER_CACHE: 'false' } }));

  it('generates and runs every question', async () => {
    expect((await ask(flock.app, 'club', QUESTION)).body.meta.cached).toBe(false);
    expect((await ask(flock.app, 'club', QUESTION)).body.meta.cached).toBe(false);
  });
});
