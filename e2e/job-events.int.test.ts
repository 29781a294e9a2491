import { TEST_ADMIN_API_KEY, mintToken, waitFor } from '@flock/testing';
import { useHarness, type SpawnedApi } from './support/flock-harness';

/**
 * Answers pushed as Server-Sent Events (issue 12), through real API processes: the
 * stream is held by one replica while the job is submitted through another and
 * answered by a worker process, so the finish reaches it through Redis pub/sub.
 */
// Per test: a worker process one test starts must not answer another test's jobs.
const flock = useHarness(() => ({ worker: false, env: { FLOCK_QUERY_ALL_CHUNK_SIZE: '1', FLOCK_WORKER_CONCURRENCY: '1' } }), {
  perTest: true,
});
const admin = { 'X-API-Key': TEST_ADMIN_API_KEY, 'Content-Type': 'application/json' };

interface ServerEvent {
  event: string;
  data: any;
}

/** Reads a text/event-stream to its end: every event with its parsed data. */
async function readEvents(res: Response): Promise<ServerEvent[]> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => /^event: /m.test(block))
    .map((block) => ({
      event: /^event: (.*)$/m.exec(block)![1]!,
      data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!),
    }));
}

async function submitAsk(api: SpawnedApi, question: string, headers: Record<string, string> = admin): Promise<string> {
  const res = await fetch(`${api.base}/api/v1/example/ask`, { method: 'POST', headers, body: JSON.stringify({ question }) });
  expect(res.status).toBe(202);
  return ((await res.json()) as { data: { job_id: string } }).data.job_id;
}

it("streams an ask's status and then its answer, from another replica than the one it was submitted to", async () => {
  const [submitter, streamer] = [await flock.spawnApi(), await flock.spawnApi()];
  const jobId = await submitAsk(submitter, 'How many members by type?');
  const stream = fetch(`${streamer.base}/api/v1/example/ask/jobs/${jobId}/events`, { headers: admin });
  flock.spawnWorker();
  const events = await readEvents(await stream);
  expect(events[0]).toEqual({ event: 'status', data: { job_id: jobId, status: 'processing' } });
  expect(events.at(-1)!.event).toBe('result');
  // The result is the poll's answer, to the byte.
  const poll = await (await fetch(`${submitter.base}/api/v1/example/ask/jobs/${jobId}`, { headers: admin })).json();
  expect(events.at(-1)!.data).toEqual(poll);
  expect(events.at(-1)!.data.data.status).toBe('completed');
});

it("streams a query-all's progress as its chunks finish, then its answer", async () => {
  const api = await flock.spawnApi();
  flock.spawnWorker();
  const submitted = await fetch(`${api.base}/query-all`, {
    method: 'POST',
    headers: admin,
    // Each database takes longer than the stream's 500 ms between progress reads.
    body: JSON.stringify({ sql: 'SELECT count(*) AS n FROM member, range(200000) AS r(i)', buckets: ['example', 'jec'] }),
  });
  const jobId = ((await submitted.json()) as { data: { job_id: string } }).data.job_id;
  const events = await readEvents(await fetch(`${api.base}/query-all/jobs/${jobId}/events`, { headers: admin }));
  expect(events[0]!.event).toBe('status');
  const progress = events.filter((event) => event.event === 'progress').map((event) => event.data);
  expect(progress.length).toBeGreaterThan(0);
  for (const step of progress) expect(step.databases_total).toBe(2);
  const done = progress.map((step) => step.databases_done);
  expect(done).toEqual([...new Set(done)].sort());
  const result = events.at(-1)!;
  expect(result.event).toBe('result');
  expect(result.data.data.status).toBe('completed');
  expect(result.data.meta.databases_queried).toBe(2);
});

it("answers a stream with the poll's refusals before any event: unknown job, another user's job, no admin key", async () => {
  const api = await flock.spawnApi();
  const alice = { Authorization: `Bearer ${await mintToken({ sub: 'alice', buckets: ['example'] })}`, 'Content-Type': 'application/json' };
  const bob = { Authorization: `Bearer ${await mintToken({ sub: 'bob', buckets: ['example'] })}` };
  const jobId = await submitAsk(api, 'How many members do we have?', alice);
  const denied = await fetch(`${api.base}/api/v1/example/ask/jobs/${jobId}/events`, { headers: bob });
  expect(denied.status).toBe(404);
  expect(await denied.json()).toEqual({ error: { code: 'not_found', message: `Unknown job: ${jobId}` } });
  const unknown = await fetch(`${api.base}/query-all/jobs/${jobId}/events`, { headers: admin });
  expect(unknown.status).toBe(404);
  const notAdmin = await fetch(`${api.base}/query-all/jobs/${jobId}/events`, { headers: bob });
  expect(notAdmin.status).toBe(403);
});

it('ends a stream when its replica drains, with no answer in it, so the client reconnects elsewhere', async () => {
  const api = await flock.spawnApi({ FLOCK_SHUTDOWN_DELAY_SECONDS: '0' });
  // No worker: the job stays processing.
  const jobId = await submitAsk(api, 'How many members do we have?');
  const res = await fetch(`${api.base}/api/v1/example/ask/jobs/${jobId}/events`, { headers: admin });
  const reading = readEvents(res);
  await new Promise((resolve) => setTimeout(resolve, 200));
  api.child.kill('SIGTERM');
  const events = await reading;
  expect(events).toEqual([{ event: 'status', data: { job_id: jobId, status: 'processing' } }]);
  expect(await api.exited).toBe(0);
});

it('holds only so many open streams per caller on a replica, and counts a closed one out', async () => {
  const api = await flock.spawnApi({ FLOCK_STREAMS_PER_CALLER: '2' });
  // No worker: the jobs stay processing, and their streams open.
  const jobIds = [await submitAsk(api, 'How many members?'), await submitAsk(api, 'How many members by type?')];
  const aborts = jobIds.map(() => new AbortController());
  const opened = await Promise.all(
    jobIds.map((jobId, i) => fetch(`${api.base}/api/v1/example/ask/jobs/${jobId}/events`, { headers: admin, signal: aborts[i]!.signal })),
  );
  for (const res of opened) expect(res.status).toBe(200);
  const third = await fetch(`${api.base}/api/v1/example/ask/jobs/${jobIds[0]}/events`, { headers: admin });
  expect(third.status).toBe(429);
  expect(((await third.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  // Another caller is not held to this one's count.
  const alice = { Authorization: `Bearer ${await mintToken({ sub: 'alice', buckets: ['example'] })}`, 'Content-Type': 'application/json' };
  const hers = await submitAsk(api, 'How many members?', alice);
  const other = await fetch(`${api.base}/api/v1/example/ask/jobs/${hers}/events`, { headers: alice });
  expect(other.status).toBe(200);
  await other.body?.cancel();
  // Once one stream closes, there is room again.
  aborts[0]!.abort();
  const again = await waitFor(
    async () => {
      const res = await fetch(`${api.base}/api/v1/example/ask/jobs/${jobIds[0]}/events`, { headers: admin });
      if (res.status === 200) return res;
      await res.body?.cancel();
      return undefined;
    },
    { what: 'room for another stream' },
  );
  await again.body?.cancel();
  aborts[1]!.abort();
});
