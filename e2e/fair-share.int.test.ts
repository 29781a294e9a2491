import request from 'supertest';
import { TEST_ADMIN_API_KEY } from '@flock/testing';
import { settle, submit, useHarness } from './support/flock-harness';

/**
 * One tenant flooding slow queries must not hold up another's. Each bucket runs at
 * most FLOCK_TENANT_QUERY_CONCURRENCY queries at once across the workers; its others
 * wait in the queue while other buckets' jobs go ahead.
 */
const flock = useHarness(() => ({
  env: {
    FLOCK_WORKER_CONCURRENCY: '4',
    FLOCK_QUERY_TIMEOUT_SECONDS: '2',
    FLOCK_TENANT_QUERY_CONCURRENCY: '2',
    FLOCK_TENANT_CONCURRENCY: '2',
  },
}));

const HEAVY = 'SELECT count(*) FROM range(1000000000) a, range(1000000000) b';

it("answers tenant B while tenant A keeps 10 heavy queries in flight, before most of A's have ended", async () => {
  let pending = 10;
  const flood = Array.from({ length: 10 }, () =>
    request(flock.app)
      .post('/api/v1/example/query')
      .set('X-API-Key', TEST_ADMIN_API_KEY)
      .send({ sql: HEAVY })
      .then((res) => {
        pending--;
        return res.status;
      }),
  );
  // Give A's queries time to be queued ahead of B's.
  await new Promise((resolve) => setTimeout(resolve, 300));

  const b = await request(flock.app)
    .post('/api/v1/jec/query')
    .set('X-API-Key', TEST_ADMIN_API_KEY)
    .send({ sql: 'SELECT count(*) AS n FROM member' });
  expect(b.status).toBe(200);
  // Without a per-tenant cap, B's query waits behind A's: two 2 s rounds of four, so
  // at most two of A's would still be pending. With it, A holds only two slots.
  expect(pending).toBeGreaterThanOrEqual(6);

  const jobId = await submit(flock.app, 'jec', 'How many members are there?');
  expect((await settle(flock.app, 'jec', jobId)).data.status).toBe('completed');
  expect(pending).toBeGreaterThanOrEqual(4);

  // A's own queries all end, as timeouts: postponed, never dropped.
  expect(await Promise.all(flood)).toEqual(Array(10).fill(408));
});
