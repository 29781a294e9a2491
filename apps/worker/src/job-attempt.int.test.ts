import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { SlotReclaimedError, WorkerStoppingError } from '@flock/errors';
import { JobStore, type JobContext } from '@flock/jobs';
import { createLogger } from '@flock/logger';
import { testRedisUrl, uniquePrefix } from '@flock/testing';
import { attemptJob } from './job-attempt';

/** attemptJob on a real job store: which endings are stored, and which hand the job back. */
describe('attemptJob', () => {
  let redis: Redis;
  let store: JobStore;
  const log = createLogger('job-attempt-test', 'silent');
  // Only whether this is the last attempt matters here; nothing else of the job is touched.
  const lastAttempt = { attempt: 2, lastAttempt: true } as JobContext;

  beforeAll(() => {
    redis = new Redis(testRedisUrl());
    store = new JobStore(redis, { prefix: uniquePrefix('attempt'), ttlMs: 3_600_000, workerTimeoutMs: 130_000 });
  });
  afterAll(async () => {
    await redis.quit();
  });

  async function processing(): Promise<string> {
    const id = randomUUID();
    await store.create({ id, kind: 'ask', bucket: 'example', question: 'How many?', owner: { type: 'user', id: 'u1' } });
    return id;
  }

  it('hands back a job whose lent slot was taken back, storing nothing even on its last attempt', async () => {
    const jobId = await processing();
    const outcomes: string[] = [];
    const attempt = attemptJob(
      {
        store,
        jobId,
        context: lastAttempt,
        log,
        what: 'ask job',
        unexpected: 'x',
        ended: (outcome, code) => outcomes.push(`${outcome}:${code}`),
      },
      async () => {
        throw new SlotReclaimedError();
      },
    );
    await expect(attempt).rejects.toBeInstanceOf(SlotReclaimedError);
    expect((await store.get(jobId))?.status).toBe('processing');
    expect(outcomes).toEqual(['interrupted:slot_reclaimed']);
  });

  it("stores a job interrupted by its worker's shutdown on its last attempt, as worker_timeout", async () => {
    const jobId = await processing();
    await expect(
      attemptJob({ store, jobId, context: lastAttempt, log, what: 'ask job', unexpected: 'x' }, async () => {
        throw new WorkerStoppingError();
      }),
    ).rejects.toBeInstanceOf(WorkerStoppingError);
    expect(await store.get(jobId)).toMatchObject({ status: 'failed', errorCode: 'worker_timeout' });
  });
});
