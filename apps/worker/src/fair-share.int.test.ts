import { Redis } from 'ioredis';
import { SlotReclaimedError } from '@flock/errors';
import { JobQueue, newJobId, startConsumers, TenantSlots, type JobHandlers } from '@flock/jobs';
import { testRedisUrl, uniquePrefix, waitFor } from '@flock/testing';
import { fairShare, type FairShareLimits } from './fair-share';

/**
 * The tenant cap with lending, on real BullMQ workers and Redis. Each ask holds its
 * slot until the test lets it end, so what runs at once can be counted.
 */
describe('fairShare', () => {
  let redis: Redis;
  const opened: { close(): Promise<unknown> }[] = [];

  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((part) => part.close()));
  });
  afterAll(async () => {
    await redis.quit();
  });

  /**
   * Workers whose asks run until the test ends them; a reclaimed one ends at once, as a
   * query does when its signal aborts, and is counted.
   */
  function start(concurrency: number, limits: FairShareLimits) {
    const prefix = uniquePrefix('fair-share');
    const connection = { url: testRedisUrl(), maxRetriesPerRequest: null };
    const jobs = new JobQueue('ask', { connection, prefix });
    const { queue } = jobs;
    const fairly = fairShare(new TenantSlots(redis, { prefix, leaseMs: 60_000 }), limits);
    const running = new Map<string, () => void>();
    const reclaimed: string[] = [];
    const ask: JobHandlers['ask'] = (payload, context) =>
      fairly(
        { kind: 'ask', bucket: payload.bucket, jobId: payload.jobId, context, lendable: true },
        (reclaim) =>
          new Promise<void>((done, fail) => {
            running.set(payload.question, done);
            reclaim?.addEventListener('abort', () => {
              running.delete(payload.question);
              if (reclaim.reason instanceof SlotReclaimedError) reclaimed.push(payload.question);
              fail(reclaim.reason);
            });
          }),
      );
    const workers = startConsumers({ ask } as JobHandlers, {
      connection,
      prefix,
      concurrency,
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
    });
    opened.push(...workers.map((worker) => ({ close: () => worker.close(true) })), jobs);
    return {
      queue,
      running,
      reclaimed,
      add: async (bucket: string, name: string) => {
        const jobId = newJobId();
        await jobs.add({ jobId, bucket, question: name });
        return jobId;
      },
      started: (name: string) => waitFor(async () => running.has(name), { what: `${name} to run` }),
      end: (name: string) => {
        running.get(name)!();
        running.delete(name);
      },
      delayed: () => waitFor(async () => (await queue.getDelayedCount()) > 0, { what: 'a job to be postponed' }),
    };
  }

  // Long enough that no lent slot is taken back while a test looks.
  const patient = { caps: { ask: 1, query: 1 }, fastMs: 10_000 };

  it("lends a bucket alone in the queue this worker's idle slots, up to its share, and postpones the rest", async () => {
    const flock = start(4, { ...patient, lend: 2 });
    for (const name of ['a1', 'a2', 'a3', 'a4']) await flock.add('acme', name);
    await Promise.all(['a1', 'a2', 'a3'].map(flock.started));
    await flock.delayed();
    expect(flock.running.size).toBe(3);
    // Once the bucket is back under its cap, the postponed one is woken: it starts before
    // its own delay (at least 500 ms) would have brought it back.
    for (const name of ['a1', 'a2', 'a3']) flock.end(name);
    await waitFor(async () => flock.running.has('a4'), { what: 'a4 to be woken', timeoutMs: 450 });
  });

  it("lends nothing while another bucket's job waits", async () => {
    const flock = start(2, { ...patient, lend: 1 });
    await flock.add('acme', 'a1');
    await flock.started('a1');
    await flock.add('other', 'o1');
    await flock.started('o1');
    // Both slots busy: acme's second ask and another bucket's wait, in that order.
    await flock.add('acme', 'a2');
    await flock.add('other', 'o2');
    flock.end('o1');
    await flock.started('o2');
    await flock.delayed();
    expect([...flock.running.keys()].sort()).toEqual(['a1', 'o2']);
  });

  it('lends nothing to a bucket whose ask ran long, even one in a slot of its own', async () => {
    const flock = start(4, { caps: { ask: 1, query: 1 }, lend: 2, fastMs: 200 });
    await flock.add('acme', 'slow');
    await flock.started('slow');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await flock.add('acme', 'a2');
    await flock.delayed();
    expect([...flock.running.keys()]).toEqual(['slow']);
    flock.end('slow');
    await flock.started('a2');
    expect(flock.reclaimed).toEqual([]);
  });

  it('takes a lent slot back from an ask that runs long, and runs it later in a slot of its own, without counting an attempt', async () => {
    const flock = start(4, { caps: { ask: 1, query: 1 }, lend: 2, fastMs: 200 });
    await flock.add('acme', 'a1');
    await flock.started('a1');
    const lent = await flock.add('acme', 'a2');
    await flock.started('a2');
    await waitFor(async () => flock.reclaimed.includes('a2'), { what: 'the lent slot to be taken back' });
    await flock.delayed();
    expect([...flock.running.keys()]).toEqual(['a1']);
    // a1's own slot, once free, goes to a2; the bucket is marked slow, so it borrows no more.
    flock.end('a1');
    await flock.started('a2');
    expect((await flock.queue.getJob(lent))?.attemptsMade).toBe(0);
    expect(flock.reclaimed).toEqual(['a2']);
  });
});
