import request from 'supertest';
import { TEST_ADMIN_API_KEY } from '@flock/testing';
import { useHarness } from './support/flock-harness';

/**
 * A memory bomb DuckDB cannot govern (a huge string, allocated outside its buffer pool)
 * meets the worker process's ceiling: that query fails as out of memory, and the same
 * worker process goes on answering. A real worker process, as only main.ts sets the
 * ceiling.
 */
const flock = useHarness(() => ({ worker: false }));

it("fails a huge-string query as too much memory, and the worker answers the next tenant's query", async () => {
  flock.spawnWorker({ FLOCK_WORKER_MEMORY_CEILING: '1GB' });
  await flock.workersReady('flock-query', 1);
  const query = (bucket: string, sql: string) =>
    request(flock.app).post(`/api/v1/${bucket}/query`).set('X-API-Key', TEST_ADMIN_API_KEY).send({ sql });

  const bomb = await query('example', "SELECT length(repeat('x', 2000000000)) AS n");
  expect(bomb.status).toBe(422);
  expect(bomb.body.error).toEqual({
    code: 'execution_failed',
    message: 'The query needed more memory than a query may use and was stopped. Ask a narrower question or filter the data further.',
  });

  const next = await query('jec', 'SELECT count(*) > 0 AS any FROM member');
  expect(next.status).toBe(200);
  expect(next.body.data.rows).toEqual([[true]]);
});
