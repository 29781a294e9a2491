import http from 'node:http';
import { TEST_ADMIN_API_KEY, logEntries, waitFor } from '@flock/testing';
import { useHarness } from './support/flock-harness';

/**
 * SIGTERM to a real API process: it fails /readyz at once, tells the request in flight to
 * close its connection, answers it, and exits as soon as it has, or at its deadline.
 * No worker runs, so a /tables call on a cold bucket waits for one until the worker
 * timeout: a request that is in flight for as long as the test needs.
 */
const flock = useHarness(() => ({ worker: false }));

/** A GET on a fresh connection, resolving with its status and headers. */
function get(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { 'X-API-Key': TEST_ADMIN_API_KEY }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

it('fails readiness at once, answers the request in flight with Connection: close, and exits 0 once it has', async () => {
  const api = await flock.spawnApi({
    FLOCK_QUERY_TIMEOUT_SECONDS: '1',
    FLOCK_WORKER_TIMEOUT_SECONDS: '2',
    FLOCK_SHUTDOWN_TIMEOUT_SECONDS: '10',
    FLOCK_SHUTDOWN_DELAY_SECONDS: '1',
  });
  const inFlight = get(`${api.base}/api/v1/jec/tables`);
  await new Promise((resolve) => setTimeout(resolve, 200)); // the request has reached the API

  api.child.kill('SIGTERM');
  await waitFor(async () => logEntries(api, { event: 'shutting_down' }).length > 0, { what: 'the API to take the signal' });
  // Within the delay it still takes connections, and says it is not ready.
  const ready = await get(`${api.base}/readyz`);
  expect(ready.status).toBe(503);
  expect(ready.headers.connection).toBe('close');

  // No worker answered, so 503 after the worker timeout, well within the shutdown deadline.
  const answered = await inFlight;
  expect(answered.status).toBe(503);
  expect(answered.headers.connection).toBe('close');
  expect(await api.exited).toBe(0);
  expect(logEntries(api, { event: 'shutdown_deadline' })).toEqual([]);
});

it('exits at its deadline when a request outlasts it', async () => {
  const api = await flock.spawnApi({
    FLOCK_QUERY_TIMEOUT_SECONDS: '10',
    FLOCK_WORKER_TIMEOUT_SECONDS: '30',
    FLOCK_SHUTDOWN_TIMEOUT_SECONDS: '2',
  });
  const inFlight = get(`${api.base}/api/v1/jec/tables`).then(
    (res) => res.status,
    (error: NodeJS.ErrnoException) => error.code,
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  api.child.kill('SIGTERM');
  // The request would wait 31 s for a worker; the connection is cut before the deadline instead.
  expect(await inFlight).toBe('ECONNRESET');
  expect(await api.exited).toBe(0);
  expect(logEntries(api, { event: 'drain_deadline' })).toHaveLength(1);
});
