import { Redis } from 'ioredis';
import { waitFor } from '@flock/testing';
import { settle, settleQueryAll, submit, submitQueryAll, useHarness } from './support/flock-harness';

/**
 * Nothing about a job outlives it in Redis: its record expires with FLOCK_JOB_TTL_SECONDS,
 * and BullMQ's own keys for it (job hashes, a flow's steps and dependencies, results
 * among them) are swept soon after, even when no later job comes along to trigger
 * BullMQ's own removal, and so are the events that name it.
 */
const flock = useHarness(() => ({
  env: { FLOCK_JOB_TTL_SECONDS: '10', FLOCK_WORKER_TIMEOUT_SECONDS: '5', FLOCK_QUERY_TIMEOUT_SECONDS: '4' },
}));

async function keysNaming(redis: Redis, prefix: string, jobId: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*${jobId}*`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

/** BullMQ's events streams' entries that mention the job, as `stream: event`. */
async function eventsNaming(redis: Redis, prefix: string, jobId: string): Promise<string[]> {
  const found: string[] = [];
  const [, streams] = await redis.scan('0', 'MATCH', `${prefix}*:events`, 'COUNT', 10_000);
  for (const stream of streams) {
    for (const [, fields] of await redis.xrange(stream, '-', '+')) {
      if (fields.some((field) => field.includes(jobId))) found.push(`${stream}: ${fields.join(' ')}`);
    }
  }
  return found;
}

it('leaves no key or event naming an answered job 30 s after the answer, on an idle system', async () => {
  const redis = new Redis(flock.env.REDIS_URL!);
  const prefix = flock.env.FLOCK_REDIS_PREFIX!;
  try {
    const ask = await submit(flock.app, 'example', 'How many members are there?');
    expect((await settle(flock.app, 'example', ask)).data.status).toBe('completed');
    const fanOut = await submitQueryAll(flock.app, { sql: 'SELECT count(*) AS n FROM member', buckets: ['example', 'jec'] });
    expect((await settleQueryAll(flock.app, fanOut)).data.status).toBe('completed');
    const answered = Date.now();
    expect(await keysNaming(redis, prefix, ask)).not.toEqual([]);
    expect(await eventsNaming(redis, prefix, ask)).not.toEqual([]);

    for (const jobId of [ask, fanOut]) {
      // Events too: BullMQ keeps 10,000 per queue, whatever their age.
      const left = async () => [...(await keysNaming(redis, prefix, jobId)), ...(await eventsNaming(redis, prefix, jobId))];
      await waitFor(async () => ((await left()).length === 0 ? true : undefined), {
        timeoutMs: 30_000 - (Date.now() - answered),
        intervalMs: 500,
        what: `every key and event naming job ${jobId} to be gone`,
      });
    }
  } finally {
    await redis.quit();
  }
}, 45_000);
