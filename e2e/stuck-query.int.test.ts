import request from 'supertest';
import { TEST_ADMIN_API_KEY, isAlive, logEntries, waitFor } from '@flock/testing';
import { useHarness } from './support/flock-harness';

/**
 * A query that ignores DuckDB's interrupt keeps its thread busy for as long as it runs;
 * nothing short of ending the process frees it. Its job is answered at its limit, and
 * the worker process drains, is killed and replaced by its supervisor (main.ts), so
 * the tenant cannot keep a core of the worker pool. A real worker process, since only
 * main.ts supervises.
 */
const flock = useHarness(() => ({ worker: false, env: { FLOCK_QUERY_TIMEOUT_SECONDS: '1', FLOCK_WORKER_RECYCLE_AFTER_SECONDS: '1' } }));

const query = (bucket: string, sql: string) =>
  request(flock.app).post(`/api/v1/${bucket}/query`).set('X-API-Key', TEST_ADMIN_API_KEY).send({ sql });

it('answers a query that ignores the interrupt as a timeout, then replaces the worker process that runs it', async () => {
  const worker = flock.spawnWorker();
  await flock.workersReady('flock-query', 1);

  // Two one-megabyte strings: levenshtein would run for tens of minutes, and never looks at the interrupt.
  const stuck = await query('example', "SELECT levenshtein(repeat('a', 1000000), repeat('b', 1000000)) AS d");
  expect(stuck.status).toBe(408);
  expect(stuck.body.error.code).toBe('query_timeout');

  await waitFor(async () => logEntries(worker, { event: 'worker_started' }).length === 2, { what: 'a replacement worker process' });
  const [stuckAt] = logEntries(worker, { event: 'query_stuck' });
  expect(stuckAt).toMatchObject({ bucket: 'example' });
  expect(logEntries(worker, { event: 'worker_process_exited' })).toHaveLength(1);
  const [first, second] = logEntries(worker, { event: 'worker_started' }).map((entry) => entry.pid as number);
  expect(first).toBe(stuckAt!.pid);
  expect(second).not.toBe(first);
  // The stuck process is gone, thread and all.
  expect(isAlive(first!)).toBe(false);

  await flock.workersReady('flock-query', 1);
  const next = await query('jec', 'SELECT 1 AS one');
  expect(next.status).toBe(200);
  expect(next.body.data.rows).toEqual([[1]]);
});
