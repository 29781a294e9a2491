import { readdirSync } from 'node:fs';
import { Redis } from 'ioredis';
import { demoWarehouseDir, redisBytesUnder, referenceRows } from '@flock/testing';
import { CappedRows } from '@flock/warehouse';
import { settleQueryAll, submitQueryAll, useHarness } from './support/flock-harness';

/**
 * A capped cross-tenant answer costs Redis about its cap, however many chunks it was
 * split into: a chunk's rows are dropped as soon as earlier chunks alone fill the caps,
 * and the parts go once the answer is stored. One bucket a chunk, so each of the 24
 * demo buckets is a part; kept whole, they came to about 11 MB.
 */
const CAPS = { maxRows: 10_000, maxBytes: 400_000 };
const flock = useHarness(() => ({
  env: { FLOCK_QUERY_ALL_CHUNK_SIZE: '1', FLOCK_MAX_RESULT_ROWS: String(CAPS.maxRows), FLOCK_MAX_RESULT_BYTES: String(CAPS.maxBytes) },
}));

const MB = 1024 * 1024;
const SQL = 'SELECT id, first_name, last_name, email, membership_type, status, country FROM member ORDER BY id';

it('a capped query-all answer costs Redis its cap plus a small overhead, during the job and after it', async () => {
  const redis = new Redis(flock.env.REDIS_URL!);
  const prefix = flock.env.FLOCK_REDIS_PREFIX!;
  try {
    const buckets = readdirSync(demoWarehouseDir())
      .filter((file) => file.endsWith('.duckdb'))
      .map((file) => file.replace(/\.duckdb$/, ''))
      .sort();
    let peak = 0;
    let settled = false;
    const sampling = (async () => {
      while (!settled) peak = Math.max(peak, await redisBytesUnder(redis, prefix));
    })();
    const jobId = await submitQueryAll(flock.app, { sql: SQL, buckets });
    const body = await settleQueryAll(flock.app, jobId, 60_000).finally(() => (settled = true));
    await sampling;
    const after = await redisBytesUnder(redis, prefix);

    // The caps bound the answer, so later chunks' rows were not needed...
    expect(body.meta.truncated).toBe(true);
    expect(body.meta.databases_queried).toBe(buckets.length);
    // ...and it is the same answer: the first rows in bucket order, up to the caps.
    const expected = new CappedRows<unknown[]>(CAPS);
    for (const bucket of buckets) {
      for (const row of await referenceRows(bucket, SQL)) if (!expected.add([bucket, ...row])) break;
      if (expected.isFull) break;
    }
    expect(body.data.rows).toEqual(expected.rows);

    expect(peak).toBeLessThanOrEqual(4 * MB);
    // The answer (at most its cap in rows) and BullMQ's few small keys for the job's steps.
    expect(after).toBeLessThanOrEqual(CAPS.maxBytes + 0.5 * MB);
  } finally {
    await redis.quit();
  }
});
