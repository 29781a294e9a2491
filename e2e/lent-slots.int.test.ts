import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAMES, tenantSlowCountKey } from '@flock/jobs';
import { useTempWarehouseDir } from '@flock/testing';
import { jobLogs, settle, submit, useHarness } from './support/flock-harness';

/**
 * A lent slot taken back (issue 15), end to end on a real Redis and a real DuckDB file:
 * a bucket alone in the queue borrows a worker's idle slots beyond its cap, and an ask
 * still running in one at 250 ms is stopped, put back without counting an attempt, and
 * answered later in a slot of the bucket's own.
 *
 * The bucket's grouped sum reads 21 million rows, about 350 ms on one thread here: seven
 * times the 50 ms a lent slot lasts in this test (FLOCK_TENANT_BORROW_MS; 250 ms by
 * default), so a much faster machine still runs past it, and over soon enough for the
 * asks to wait in turn.
 */
const warehouses = useTempWarehouseDir('lent-slots', {
  sql: {
    sensors: `CREATE TABLE reading(id INTEGER, sensor VARCHAR, value DOUBLE);
      INSERT INTO reading SELECT i, s.name, (i % 1000) / 10.0
      FROM range(7000000) AS r(i), (VALUES ('north'), ('south'), ('east')) AS s(name);`,
  },
});

const flock = useHarness(() => ({
  env: {
    FLOCK_WAREHOUSE_DIR: warehouses.dir,
    FLOCK_TENANT_CONCURRENCY: '1',
    FLOCK_TENANT_BORROW_MS: '50',
    FLOCK_WORKER_CONCURRENCY: '4',
    // Every ask runs its query, rather than come from the first one's answer.
    FLOCK_ANSWER_CACHE: 'false',
  },
}));

const QUESTION = 'What is the total value by sensor?';

it('takes a lent slot back from a slow ask, and answers it later in a slot of its own, without counting an attempt', async () => {
  const jobIds = await Promise.all(Array.from({ length: 3 }, () => submit(flock.app, 'sensors', QUESTION)));
  const bodies = await Promise.all(jobIds.map((jobId) => settle(flock.app, 'sensors', jobId)));
  for (const body of bodies) {
    expect(body.data.status).toBe('completed');
    expect(body.data.rows.map((row: unknown[]) => row[0]).sort()).toEqual(['east', 'north', 'south']);
  }

  const queue = new Queue(QUEUE_NAMES.ask, { connection: { url: flock.env.REDIS_URL! }, prefix: flock.env.FLOCK_REDIS_PREFIX! });
  const redis = new Redis(flock.env.REDIS_URL!);
  try {
    const logsOf = (jobId: string) =>
      jobLogs(flock, QUEUE_NAMES.ask, jobId, (logs) => logs.at(-1)?.endsWith('answer stored') === true, `the answered log of ${jobId}`);
    const logs = await Promise.all(jobIds.map(logsOf));
    const reclaimed = jobIds.filter((_, i) => logs[i]!.includes('interrupted: slot_reclaimed'));
    expect(reclaimed.length).toBeGreaterThan(0);
    for (const jobId of reclaimed) {
      const lines = logs[jobIds.indexOf(jobId)]!;
      // Stopped in the lent slot, then run through in one of its own.
      expect(lines[0]).toMatch(/^engine builtin; slot: lent; /);
      expect(lines[1]).toBe('interrupted: slot_reclaimed');
      expect(lines[2]).toMatch(/^engine builtin; schema /);
    }
    // BullMQ counts the run that finished a job as one: the stopped run added none.
    for (const jobId of jobIds) expect((await queue.getJob(jobId))?.attemptsMade).toBe(1);
    // The slow asks marked their bucket, which borrows nothing while the mark lasts. The
    // mark may have lapsed by now (the first lasts 5 s); its count stays two minutes.
    expect(Number(await redis.get(tenantSlowCountKey(flock.env.FLOCK_REDIS_PREFIX!, 'sensors', 'ask')))).toBeGreaterThanOrEqual(1);
  } finally {
    redis.disconnect();
    await queue.close();
  }
});
