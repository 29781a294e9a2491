import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import request from 'supertest';
import { Redis } from 'ioredis';
import { hasEventTables } from '@flock/demo';
import { FlowQueue, JobStore, QUEUE_NAMES, chunkStepId, jobRecordKey, mergeStepId } from '@flock/jobs';
import {
  demoBuckets,
  redisContents,
  logEntries,
  mintToken,
  referenceRows,
  untilTaken,
  useTempWarehouseDir,
  waitFor,
  writeDuckDb,
  type FlockProcess,
} from '@flock/testing';
import { asAdmin, settleQueryAll, submitQueryAll, useHarness } from './support/flock-harness';

/** Demo buckets with and without event tables, few enough for a quick fan-out. */
async function pickDemoBuckets(): Promise<{ good: string[]; withEvents: string[]; withoutEvents: string[] }> {
  const all = await demoBuckets();
  const withEvents = all.filter((bucket) => hasEventTables(bucket)).slice(0, 4);
  const withoutEvents = all.filter((bucket) => !hasEventTables(bucket)).slice(0, 2);
  if (withoutEvents.length === 0) throw new Error('the demo set has no bucket without event tables');
  return { good: [...withEvents, ...withoutEvents].sort(), withEvents, withoutEvents };
}

describe('POST /query-all and GET /query-all/jobs/{id}', () => {
  let picked: Awaited<ReturnType<typeof pickDemoBuckets>>;
  // Copies of the picked demo buckets, and one database file that is not a database at all.
  const warehouses = useTempWarehouseDir('query-all', async () => {
    picked = await pickDemoBuckets();
    return { demo: Object.fromEntries(picked.good.map((bucket) => [bucket, bucket])), broken: ['zz-broken'] };
  });
  // Chunks of 2 so that even this small set fans out over several child jobs.
  const flock = useHarness(() => ({ env: { FLOCK_WAREHOUSE_DIR: warehouses.dir, FLOCK_QUERY_ALL_CHUNK_SIZE: '2' } }), { perTest: true });

  it('SQL mode: every bucket answers, the corrupt one lands in errors, in the seed shape', async () => {
    const jobId = await submitQueryAll(flock.app, { sql: 'SELECT count(*) AS total FROM member' });
    const body = await settleQueryAll(flock.app, jobId);

    const expected = await Promise.all(
      picked.good.map(async (bucket) => [bucket, (await referenceRows(bucket, 'SELECT count(*) FROM member'))[0]![0]]),
    );
    expect(body).toEqual({
      data: { job_id: jobId, status: 'completed', columns: ['_bucket', 'total'], rows: expected },
      meta: expect.objectContaining({
        databases_queried: picked.good.length,
        databases_skipped: 0,
        databases_errored: 1,
        total_rows: picked.good.length,
        execution_time_seconds: expect.any(Number),
        skipped: [],
        errors: { 'zz-broken': expect.stringContaining('could not be opened') },
        truncated: false,
      }),
    });
    expect(body.data).not.toHaveProperty('generated_sql');
    // The record expires an hour after submission, like an ask's.
    const redis = new Redis(flock.env.REDIS_URL!);
    try {
      const ttl = await redis.pttl(jobRecordKey(flock.env.FLOCK_REDIS_PREFIX!, jobId));
      expect(ttl).toBeGreaterThan(3_500_000);
      expect(ttl).toBeLessThanOrEqual(3_600_000);
    } finally {
      redis.disconnect();
    }
    // The broken bucket's message names only itself, never the server's paths or another bucket.
    const message = body.meta.errors['zz-broken'] as string;
    expect(message).not.toContain(warehouses.dir);
    for (const bucket of picked.good) expect(message).not.toContain(bucket);
  });

  it("a failing bucket's message carries only that bucket's own data", async () => {
    // Every bucket fails, and DuckDB quotes the offending value: it must be the bucket's own.
    const jobId = await submitQueryAll(flock.app, {
      sql: 'SELECT CAST(first_name AS INTEGER) AS n FROM member ORDER BY id',
      buckets: picked.good,
    });
    const body = await settleQueryAll(flock.app, jobId);
    expect(body.meta.databases_errored).toBe(picked.good.length);
    for (const bucket of picked.good) {
      const message = body.meta.errors[bucket] as string;
      const quoted = /'([^']+)'/.exec(message)?.[1];
      expect(quoted).toBeDefined();
      const [[own]] = (await referenceRows(bucket, `SELECT count(*) FROM member WHERE first_name = '${quoted!.replace(/'/g, "''")}'`)) as [
        [number],
      ];
      expect(own).toBeGreaterThan(0);
    }
  });

  it.each([
    ['reads a file', "SELECT content FROM read_text('/etc/hostname')", 'the table function read_text() is not allowed'],
    ['reads a file by path', "SELECT * FROM '/etc/passwd'", "'/etc/passwd' is a file or URL, not a table"],
    [
      'lists the attached databases',
      'SELECT database_name, path FROM duckdb_databases()',
      'the table function duckdb_databases() is not allowed',
    ],
    [
      'lists every attached table',
      'SELECT table_catalog, table_name FROM information_schema.tables',
      "'information_schema.tables' may be outside this database",
    ],
    ['names a database', 'SELECT count(*) FROM memory.main.member', "'memory.main.member' is in another database"],
    [
      "reads the neighbours' constraints by oid",
      'SELECT pg_get_constraintdef(i) AS c FROM range(1, 5000) t(i) WHERE c IS NOT NULL',
      'pg_get_constraintdef() is not allowed',
    ],
    ['reads a view definition by oid', 'SELECT pg_get_viewdef(i) FROM range(1, 50) t(i)', 'pg_get_viewdef() is not allowed'],
  ])('refuses SQL that %s before any database is opened', async (_case, sql, problem) => {
    // Several tenants share a chunk's instance, so SQL may read only each one's own tables.
    const jobId = await submitQueryAll(flock.app, { sql, buckets: picked.good });
    const body = await settleQueryAll(flock.app, jobId);
    expect(body.data).toEqual({
      job_id: jobId,
      status: 'failed',
      error_code: 'validation_failed',
      error_message: `A cross-tenant query may read only the database's tables: ${problem}.`,
    });
  });

  it("keeps tenants' rows in Flock's own expiring keys, never in BullMQ's job hashes or event streams", async () => {
    const jobId = await submitQueryAll(flock.app, { sql: 'SELECT email FROM member ORDER BY id LIMIT 1', buckets: picked.good });
    const body = await settleQueryAll(flock.app, jobId);
    expect(body.data.status).toBe('completed');
    const emails = (body.data.rows as [string, string][]).map((row) => row[1]);
    expect(emails.length).toBeGreaterThan(1);
    const redis = new Redis(flock.env.REDIS_URL!);
    try {
      const prefix = flock.env.FLOCK_REDIS_PREFIX!;
      const stored = await redisContents(redis, `${prefix}:`);
      const holding = [...stored].filter(([, value]) => emails.some((email) => JSON.stringify(value).includes(email))).map(([key]) => key);
      expect(holding.length).toBeGreaterThan(0);
      // Only the job's record and its parts, which expire with it, hold them.
      for (const key of holding) {
        expect(key.startsWith(jobRecordKey(prefix, jobId))).toBe(true);
        expect(await redis.pttl(key)).toBeGreaterThan(0);
      }
    } finally {
      await redis.quit();
    }
  });

  it('accepts ordinary SQL: CTEs, joins, subqueries, main. names and pure table functions', async () => {
    const sql = `WITH paid AS (SELECT member_id, sum(amount) AS total FROM main.payment GROUP BY 1)
      SELECT m.membership_type, count(*) AS members, sum(p.total) AS paid
      FROM member m JOIN paid p ON p.member_id = m.id
      WHERE m.id IN (SELECT id FROM member WHERE status = 'active') AND m.id NOT IN (SELECT * FROM range(0))
      GROUP BY 1 ORDER BY 1`;
    const [bucket] = picked.good;
    const jobId = await submitQueryAll(flock.app, { sql, buckets: [bucket!] });
    const body = await settleQueryAll(flock.app, jobId);
    expect(body.data.status).toBe('completed');
    expect(body.data.rows.map((row: unknown[]) => row.slice(1))).toEqual(await referenceRows(bucket!, sql));
  });

  it('a bucket whose query outruns the time limit is an error, and the job still finishes', async () => {
    await flock.restart({ env: { FLOCK_QUERY_TIMEOUT_SECONDS: '0.5', FLOCK_WORKER_TIMEOUT_SECONDS: '20' } });
    const buckets = picked.good.slice(0, 2);
    const jobId = await submitQueryAll(flock.app, {
      sql: 'SELECT count(*) AS n FROM member a, member b, member c, member d',
      buckets,
    });
    const body = await settleQueryAll(flock.app, jobId);
    expect(body.data.status).toBe('completed');
    expect(body.meta.databases_errored).toBe(2);
    for (const bucket of buckets)
      expect(body.meta.errors[bucket]).toBe('The query ran longer than 0.5 s on this database and was stopped.');
  });

  it('the table filter reports the buckets without that table as skipped', async () => {
    const jobId = await submitQueryAll(flock.app, {
      sql: 'SELECT count(*) AS events FROM event',
      table: 'event',
      buckets: picked.good,
    });
    const body = await settleQueryAll(flock.app, jobId);
    expect(body.data.status).toBe('completed');
    expect(body.meta.skipped).toEqual([...picked.withoutEvents].sort());
    expect(body.meta.databases_skipped).toBe(picked.withoutEvents.length);
    expect(body.meta.databases_queried).toBe(picked.withEvents.length);
    expect(body.meta.errors).toEqual({});
    expect(body.data.rows.map((row: unknown[]) => row[0])).toEqual([...picked.withEvents].sort());
  });

  it('NL mode generates the SQL once and returns it with the combined rows', async () => {
    const jobId = await submitQueryAll(flock.app, { question: 'How many members by type?', buckets: picked.good.slice(0, 3) });
    const body = await settleQueryAll(flock.app, jobId);
    expect(body.data.status).toBe('completed');
    expect(body.data.generated_sql).toMatch(/SELECT/i);
    expect(body.data.columns[0]).toBe('_bucket');
    for (const bucket of picked.good.slice(0, 3)) {
      const ours = body.data.rows.filter((row: unknown[]) => row[0] === bucket).map((row: unknown[]) => row.slice(1));
      const reference = await referenceRows(bucket, body.data.generated_sql);
      expect(ours.sort()).toEqual(reference.sort());
    }
  });

  it('NL mode that cannot be answered fails with generation_failed in the seed shape', async () => {
    const jobId = await submitQueryAll(flock.app, { question: 'Who will win the league next year?' });
    const body = await settleQueryAll(flock.app, jobId);
    expect(body).toEqual({
      data: { job_id: jobId, status: 'failed', error_code: 'generation_failed', error_message: expect.any(String) },
    });
  });

  it('SQL that is not a single SELECT fails once as validation_failed, on no database', async () => {
    const jobId = await submitQueryAll(flock.app, { sql: 'DELETE FROM member' });
    const body = await settleQueryAll(flock.app, jobId);
    expect(body.data).toMatchObject({ status: 'failed', error_code: 'validation_failed' });
  });

  it('combines drifted schemas by column name, with nulls for missing columns, and says so in meta', async () => {
    // A tenant whose member table has drifted: one demo column missing, one of its own.
    const drifted = warehouses.file('drifted');
    await writeDuckDb(drifted, "CREATE TABLE member (id INTEGER, nickname VARCHAR); INSERT INTO member VALUES (1, 'Ziggy')");
    try {
      const [demo] = picked.good;
      const jobId = await submitQueryAll(flock.app, {
        sql: 'SELECT * FROM member ORDER BY id LIMIT 1',
        buckets: [demo!, 'drifted'],
      });
      const body = await settleQueryAll(flock.app, jobId);
      expect(body.data.status).toBe('completed');
      const columns = body.data.columns as string[];
      expect(columns[0]).toBe('_bucket');
      expect(columns).toContain('nickname');
      expect(columns).toContain('email');
      const row = (bucket: string) => {
        const found = body.data.rows.find((r: unknown[]) => r[0] === bucket) as unknown[];
        return Object.fromEntries(columns.map((column, i) => [column, found[i]]));
      };
      expect(row('drifted')).toMatchObject({ id: 1, nickname: 'Ziggy', email: null });
      expect(row(demo!)).toMatchObject({ nickname: null });
      expect(row(demo!).email).toEqual(expect.any(String));
      expect(body.meta.schema_drift.partial_columns).toEqual(expect.arrayContaining(['nickname', 'email']));
      expect(body.meta.schema_drift.partial_columns).not.toContain('id');
    } finally {
      await fs.rm(drifted, { force: true });
    }
  });

  it('truncates to FLOCK_MAX_RESULT_BYTES, keeps total_rows, and flags it', async () => {
    await flock.restart({ env: { FLOCK_MAX_RESULT_BYTES: '4096' } });
    const buckets = picked.good.slice(0, 3);
    const jobId = await submitQueryAll(flock.app, { sql: 'SELECT id, email FROM member', buckets });
    const body = await settleQueryAll(flock.app, jobId);
    const totals = await Promise.all(
      buckets.map(async (bucket) => Number((await referenceRows(bucket, 'SELECT count(*) FROM member'))[0]![0])),
    );
    expect(body.meta.truncated).toBe(true);
    expect(body.meta.total_rows).toBe(totals.reduce((sum, n) => sum + n, 0));
    expect(body.data.rows.length).toBeLessThan(body.meta.total_rows);
    expect(JSON.stringify(body.data.rows).length).toBeLessThanOrEqual(4096);
  });

  it.each([
    ['both sql and question', { sql: 'SELECT 1', question: 'how many?' }, "Send either 'sql' or 'question', not both"],
    ['neither', { table: 'event' }, "Missing 'sql' or 'question' field"],
    ['a non-string sql', { sql: 42 }, "'sql' must be a string"],
    ['a non-array buckets', { sql: 'SELECT 1', buckets: 'example' }, "'buckets' must be an array of bucket ids"],
    ['an empty buckets', { sql: 'SELECT 1', buckets: [] }, "'buckets' must name at least one bucket; omit it to query every bucket"],
    [
      'an invalid table name',
      { sql: 'SELECT 1', table: 'event; drop' },
      "'table' must be a table name: letters, digits and '_', not starting with a digit",
    ],
    ['unknown buckets', { sql: 'SELECT 1', buckets: ['no-such-bucket', 'nor-this'] }, 'Unknown buckets: no-such-bucket, nor-this'],
    ['a body that is not an object', [1, 2], 'Request body must be a JSON object'],
  ])('answers 400 for %s', async (_case, body, message) => {
    const res = await asAdmin(request(flock.app).post('/query-all')).send(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'bad_request', message } });
  });

  it('a chunk that fails for good is reported as errors for its buckets, and the parent still finishes', async () => {
    // A flow built by hand, as the planner would, but with one chunk whose payload makes
    // the chunk job itself throw (an id the catalog refuses to locate) on both attempts.
    const settings = { connection: { url: flock.env.REDIS_URL!, maxRetriesPerRequest: null }, prefix: flock.env.FLOCK_REDIS_PREFIX! };
    const redis = new Redis(flock.env.REDIS_URL!);
    const store = new JobStore(redis, { prefix: settings.prefix, ttlMs: 3_600_000, workerTimeoutMs: 130_000 });
    const flow = new FlowQueue(settings);
    try {
      const jobId = randomUUID();
      const record = await store.create({
        id: jobId,
        kind: 'query-all',
        request: { sql: 'SELECT 1' },
        owner: { type: 'api_key', id: 'admin' },
      });
      const good = picked.good.slice(0, 2);
      const chunks = [good, ['../escape']];
      await flow.add(
        { name: 'queryAllMerge', id: mergeStepId(jobId), payload: { jobId, chunks } },
        chunks.map((buckets, index) => ({
          name: 'queryAllChunk' as const,
          id: chunkStepId(jobId, index),
          payload: { jobId, index, sql: 'SELECT count(*) AS total FROM member', buckets, deadline: record.submittedAt + 60_000 },
        })),
      );
      const body = await settleQueryAll(flock.app, jobId);
      expect(body.data.status).toBe('completed');
      expect(body.meta).toMatchObject({
        databases_queried: 2,
        databases_errored: 1,
        errors: { '../escape': 'The worker querying this database stopped before finishing.' },
      });
      expect(body.data.rows.map((row: unknown[]) => row[0])).toEqual(good);
    } finally {
      await flow.close();
      redis.disconnect();
    }
  });

  it('is for admin API keys only', async () => {
    const noCredentials = await request(flock.app).post('/query-all').send({ sql: 'SELECT 1' });
    expect(noCredentials.status).toBe(401);
    expect(noCredentials.body).toEqual({ error: { code: 'unauthorized', message: 'Authentication required' } });

    const user = await mintToken({ sub: 'user-1', buckets: ['*'] });
    for (const req of [
      request(flock.app).post('/query-all').set('Authorization', `Bearer ${user}`).send({ sql: 'SELECT 1' }),
      request(flock.app).get('/query-all/jobs/503a73be-9119-43ba-8e30-4f278f978d49').set('Authorization', `Bearer ${user}`),
    ]) {
      const res = await req;
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: { code: 'forbidden', message: 'Admin API key required' } });
    }
  });

  it('answers 404 for an unknown job and for an ask job id', async () => {
    const unknown = await asAdmin(request(flock.app).get('/query-all/jobs/503a73be-9119-43ba-8e30-4f278f978d49'));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const ask = await asAdmin(request(flock.app).post(`/api/v1/${picked.good[0]}/ask`)).send({ question: 'How many members?' });
    const asAll = await asAdmin(request(flock.app).get(`/query-all/jobs/${ask.body.data.job_id}`));
    expect(asAll.status).toBe(404);
  });
});

describe('query-all across worker processes', () => {
  const flock = useHarness(() => ({ worker: false, env: { FLOCK_QUERY_ALL_CHUNK_SIZE: '3' } }), { perTest: true });

  it('two workers share one fan-out, and the answer covers every bucket once', async () => {
    // One chunk at a time per worker, and both running before the fan-out starts, so
    // neither can take every chunk before the other has even connected.
    const a = flock.spawnWorker({ FLOCK_WORKER_CONCURRENCY: '1' });
    const b = flock.spawnWorker({ FLOCK_WORKER_CONCURRENCY: '1' });
    await flock.workersReady(QUEUE_NAMES.queryAllChunk, 2);
    const jobId = await submitQueryAll(flock.app, { sql: 'SELECT count(*) AS total FROM member' });
    const body = await settleQueryAll(flock.app, jobId, 60_000);
    const buckets = (await demoBuckets()).length;
    expect(body.meta).toMatchObject({ databases_queried: buckets, databases_errored: 0, total_rows: buckets });
    expect(new Set(body.data.rows.map((row: unknown[]) => row[0])).size).toBe(buckets);
    // Chunks ran on both replicas: each logs an entry for every chunk it finished.
    const chunksOf = (worker: FlockProcess) => logEntries(worker, { jobId, step: 'chunk' }).length;
    await waitFor(async () => chunksOf(a) + chunksOf(b) === body.meta.chunks, { what: 'chunk logs' });
    expect(chunksOf(a)).toBeGreaterThan(0);
    expect(chunksOf(b)).toBeGreaterThan(0);
  });

  it('a worker SIGKILLed mid-fan-out still gives a finished job covering every bucket', async () => {
    const stuck = flock.spawnStuckWorker(QUEUE_NAMES.queryAllChunk);
    flock.spawnWorker();
    const jobId = await submitQueryAll(flock.app, { sql: 'SELECT count(*) AS total FROM member' });
    await untilTaken(stuck, jobId);
    await stuck.kill('SIGKILL');

    const body = await settleQueryAll(flock.app, jobId, 60_000);
    const buckets = (await demoBuckets()).length;
    expect(body.data.status).toBe('completed');
    expect(body.meta.databases_queried + body.meta.databases_errored).toBe(buckets);
    expect(body.meta.databases_queried).toBe(buckets);
  });
});
