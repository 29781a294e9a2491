import request from 'supertest';
import { Queue } from 'bullmq';
import { QUEUE_NAMES } from '@flock/jobs';
import { TEST_ADMIN_API_KEY, TempWarehouseDir, mintToken, referenceRows, waitFor } from '@flock/testing';
import { startHarness, useHarness } from './support/flock-harness';

/**
 * The synchronous endpoints, end to end: the API answers /tables and /query from what a
 * worker read or ran, never opening a warehouse itself.
 */
const flock = useHarness(() => ({ env: { FLOCK_MAX_RESULT_ROWS: '5', FLOCK_QUERY_TIMEOUT_SECONDS: '0.5' } }));

const get = (url: string) => request(flock.app).get(url).set('X-API-Key', TEST_ADMIN_API_KEY);
const query = (body: unknown, bucket = 'example') =>
  request(flock.app)
    .post(`/api/v1/${bucket}/query`)
    .set('X-API-Key', TEST_ADMIN_API_KEY)
    .set('Content-Type', 'application/json')
    .send(JSON.stringify(body));

const reference = (sql: string) => referenceRows('example', sql);

describe('GET /api/v1/{bucket}/tables', () => {
  it('lists the tables with their row counts', async () => {
    const res = await get('/api/v1/example/tables');
    expect(res.status).toBe(200);
    const expected = await reference(
      "SELECT 'attendance', count(*) FROM attendance UNION ALL SELECT 'event', count(*) FROM event UNION ALL SELECT 'member', count(*) FROM member UNION ALL SELECT 'payment', count(*) FROM payment",
    );
    expect(res.body).toEqual({
      data: { tables: expected.map(([name, rowCount]) => ({ name, row_count: rowCount })) },
      meta: { bucket: 'example' },
    });
  });

  it('answers 404 for a bucket without a warehouse', async () => {
    expect((await get('/api/v1/ghost-club/tables')).body).toEqual({ error: { code: 'not_found', message: 'Unknown bucket: ghost-club' } });
  });

  it('answers 422 execution_failed, not a 500, for a database file that cannot be opened', async () => {
    const warehouses = await TempWarehouseDir.create('schema-broken', { broken: ['broken'] });
    const broken = startHarness({ env: { FLOCK_WAREHOUSE_DIR: warehouses.dir } });
    try {
      const res = await request(broken.app).get('/api/v1/broken/tables').set('X-API-Key', TEST_ADMIN_API_KEY);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('execution_failed');
      expect(res.body.error.message).toMatch(/^The warehouse for bucket 'broken' could not be opened/);
      expect(res.body.error.message).not.toContain(warehouses.dir);
    } finally {
      await broken.close();
      await warehouses.remove();
    }
  });
});

describe('GET /api/v1/{bucket}/tables/{table}', () => {
  it('describes columns, types and keys', async () => {
    const res = await get('/api/v1/example/tables/payment');
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      name: 'payment',
      primary_key: ['id'],
      foreign_keys: [{ columns: ['member_id'], references: { table: 'member', columns: ['id'] } }],
    });
    expect(res.body.data.columns).toEqual([
      { name: 'id', type: 'INTEGER', nullable: false },
      { name: 'member_id', type: 'INTEGER', nullable: false },
      { name: 'amount', type: 'DECIMAL(10,2)', nullable: false },
      { name: 'currency', type: 'VARCHAR', nullable: false },
      { name: 'status', type: 'VARCHAR', nullable: false },
      { name: 'paid_at', type: 'TIMESTAMP', nullable: false },
    ]);
  });

  it('answers the seed envelope for an unknown table', async () => {
    const res = await get('/api/v1/example/tables/foo');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'Unknown table: foo' } });
  });
});

describe('POST /api/v1/{bucket}/query', () => {
  it('runs one read-only SELECT and returns JSON-native rows', async () => {
    const res = await query({ sql: "SELECT count(*) AS n FROM member WHERE status = 'active'" });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ columns: ['n'], rows: await reference("SELECT count(*) FROM member WHERE status = 'active'") });
    expect(res.body.meta).toMatchObject({ bucket: 'example', row_count: 1, total_rows: 1, truncated: false });
  });

  it('caps rows and says so', async () => {
    const res = await query({ sql: 'SELECT id FROM member ORDER BY id' });
    expect(res.body.data.rows).toEqual([[1], [2], [3], [4], [5]]);
    expect(res.body.meta).toMatchObject({
      row_count: 5,
      truncated: true,
      total_rows: (await reference('SELECT count(*) FROM member'))[0]![0],
    });
  });

  it.each([
    [{}, "Missing 'sql' field"],
    [{ sql: '' }, "'sql' must not be empty"],
    [{ sql: 42 }, "'sql' must be a string"],
  ])('answers 400 for %j', async (body, message) => {
    const res = await query(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'bad_request', message } });
  });

  it('refuses writes (400), failed queries (422) and runaway queries (408), and writes nothing', async () => {
    const write = await query({ sql: 'DELETE FROM member' });
    expect(write.status).toBe(400);
    expect(write.body.error.code).toBe('validation_failed');
    const file = await query({ sql: "SELECT * FROM read_csv('/etc/passwd')" });
    expect(file.status).toBe(422);
    expect(file.body.error).toEqual({ code: 'execution_failed', message: expect.stringMatching(/disabled by configuration/) });
    const slow = await query({ sql: 'SELECT count(*) FROM range(1000000000) a, range(1000000000) b' });
    expect(slow.status).toBe(408);
    expect(slow.body.error.code).toBe('query_timeout');
    expect((await reference('SELECT count(*) > 0 FROM member'))[0]).toEqual([true]);
  });

  it('follows the same access rules as ask', async () => {
    const token = await mintToken({ sub: 'alice', buckets: ['jec'] });
    const res = await request(flock.app).post('/api/v1/example/query').set('Authorization', `Bearer ${token}`).send({ sql: 'SELECT 1' });
    expect(res.body).toEqual({ error: { code: 'forbidden', message: "Access denied to bucket 'example'" } });
    expect((await request(flock.app).get('/api/v1/example/tables')).status).toBe(401);
    expect((await request(flock.app).get('/api/v1/ghost-club/tables/member').set('Authorization', `Bearer ${token}`)).status).toBe(403);
  });
});

describe('the API runs no tenant SQL itself', () => {
  it('leaves a query to the workers: with none running, it answers worker_timeout, not a result', async () => {
    const lonely = startHarness({ worker: false, env: { FLOCK_WORKER_TIMEOUT_SECONDS: '1', FLOCK_QUERY_TIMEOUT_SECONDS: '0.5' } });
    try {
      const res = await request(lonely.app)
        .post('/api/v1/example/query')
        .set('X-API-Key', TEST_ADMIN_API_KEY)
        .send({ sql: 'SELECT 1 AS one' });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('worker_timeout');
    } finally {
      await lonely.close();
    }
  });

  it('reads a cold bucket once for a burst of concurrent requests', async () => {
    const cold = startHarness();
    const schemaJobs = new Queue(QUEUE_NAMES.schema, { connection: { url: cold.env.REDIS_URL! }, prefix: cold.env.FLOCK_REDIS_PREFIX! });
    try {
      const burst = await Promise.all(
        Array.from({ length: 8 }, () => request(cold.app).get('/api/v1/jec/tables').set('X-API-Key', TEST_ADMIN_API_KEY)),
      );
      expect(burst.map((res) => res.status)).toEqual(Array(8).fill(200));
      expect(new Set(burst.map((res) => JSON.stringify(res.body))).size).toBe(1);
      // The answer is stored before BullMQ marks its job completed: wait for that step, then count.
      const counts = await waitFor(
        async () => {
          const now = await schemaJobs.getJobCounts('completed', 'waiting', 'active', 'delayed', 'failed');
          return now.active === 0 ? now : undefined;
        },
        { what: 'the schema job to leave the active list' },
      );
      expect(counts).toEqual({
        completed: 1,
        waiting: 0,
        active: 0,
        delayed: 0,
        failed: 0,
      });
    } finally {
      await schemaJobs.close();
      await cold.close();
    }
  });

  it('serves tables from the snapshot a worker left, once the workers are gone', async () => {
    const harness = startHarness();
    try {
      const tables = (app: typeof harness.app) => request(app).get('/api/v1/jec/tables').set('X-API-Key', TEST_ADMIN_API_KEY);
      const first = await tables(harness.app);
      expect(first.status).toBe(200);
      await harness.worker!.close();
      const second = await tables(harness.app);
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
    } finally {
      await harness.api.close();
    }
  });
});
