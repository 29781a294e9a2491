import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlockApiError, FlockClient, FlockJobError } from '@flock/client';
import { TEST_ADMIN_API_KEY, mintToken } from '@flock/testing';
import { useHarness } from './support/flock-harness';

/**
 * @flock/client against a real API process, with a worker in-process on the same Redis.
 * The fetch it is given only records which URLs it asked for, so the tests can tell a
 * pushed answer from a polled one.
 */
const flock = useHarness(() => ({ env: { FLOCK_QUERY_ALL_CHUNK_SIZE: '1' } }));

/** A client with the test admin key whose requests are recorded, URL by URL, to tell one call from a stream or a poll. */
function recordingClient(baseUrl: string): { client: FlockClient; urls: string[] } {
  const urls: string[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    urls.push(input instanceof Request ? input.url : String(input));
    return globalThis.fetch(input, init);
  };
  return { client: new FlockClient({ baseUrl, apiKey: TEST_ADMIN_API_KEY, fetch }), urls };
}

/**
 * A proxy in front of the API, as clients often have one: `events` answers each event
 * stream request (or returns false to pass it on; `answer` is then the API's response,
 * before it is piped); everything else passes through.
 */
async function proxy(
  target: string,
  events: (req: http.IncomingMessage, res: http.ServerResponse, answer?: http.IncomingMessage) => boolean,
): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const stream = req.url?.includes('/events') ?? false;
    if (stream && events(req, res)) return;
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      if (stream && events(req, res, answer)) return;
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Will not stream, as an older Flock: every `/events` route is 404 with the API's own "no route" envelope. */
const proxyWithoutStreams = (target: string) =>
  proxy(target, (req, res, answer) => {
    if (answer) return false;
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'not_found', message: `No route for GET ${req.url}` } }));
    return true;
  });

it('asks a quick question in one call: the POST brings the answer, with no stream or poll', async () => {
  const api = await flock.spawnApi();
  const { client, urls } = recordingClient(api.base);
  const answer = await client.ask('example', 'How many members by type?');
  expect(answer.data.status).toBe('completed');
  expect(answer.data.columns).toEqual(['membership_type', 'count']);
  expect(urls).toHaveLength(1);
  expect(urls[0]).toMatch(/\/api\/v1\/example\/ask\?wait_ms=5000$/);
  // The POST's answer is the poll's, to the field.
  expect(await client.askJob('example', answer.data.job_id)).toEqual(answer);
});

it('waits for the answer apart when the POST comes back before it, with 202', async () => {
  const api = await flock.spawnApi();
  const { client, urls } = recordingClient(api.base);
  // No answer is ready 1 ms after its question is queued.
  const answer = await client.ask('example', 'How many members by type?', { submitWaitMs: 1 });
  expect(answer.data.status).toBe('completed');
  expect(urls[0]).toMatch(/\/ask\?wait_ms=1$/);
  expect(urls.some((url) => url.endsWith(`/ask/jobs/${answer.data.job_id}/events`))).toBe(true);
});

it('asks a question and gets the answer pushed through Server-Sent Events', async () => {
  const api = await flock.spawnApi();
  const { client, urls } = recordingClient(api.base);
  const answer = await client.ask('example', 'How many members by type?', { submitWaitMs: 0 });
  expect(answer.data.status).toBe('completed');
  expect(answer.data.columns).toEqual(['membership_type', 'count']);
  expect(answer.data.rows.length).toBeGreaterThan(0);
  expect(answer.meta.bucket).toBe('example');
  expect(urls.some((url) => url.endsWith(`/ask/jobs/${answer.data.job_id}/events`))).toBe(true);
  // Nothing was polled: the stream carried the answer.
  expect(urls.filter((url) => url.includes(`/ask/jobs/${answer.data.job_id}?`))).toEqual([]);
  // The pushed answer is the poll's, to the field.
  expect(await client.askJob('example', answer.data.job_id)).toEqual(answer);
  // A category with a count suits a chart, which the server draws.
  expect(answer.meta.chart).toBeDefined();
  expect(await client.chartSvg('example', answer.data.job_id)).toMatch(/^<svg[\s\S]*<\/svg>$/);
});

it('falls back to polling when the way to the server will not stream', async () => {
  const api = await flock.spawnApi();
  const proxy = await proxyWithoutStreams(api.base);
  try {
    const { client, urls } = recordingClient(proxy.base);
    const answer = await client.ask('example', 'How many active members do we have?', { submitWaitMs: 0 });
    expect(answer.data.status).toBe('completed');
    expect(urls.some((url) => url.includes(`/ask/jobs/${answer.data.job_id}?wait_ms=`))).toBe(true);
  } finally {
    await proxy.close();
  }
});

/**
 * Cuts the first `cuts` event streams right after their first bytes, as a replica that
 * goes away or a load balancer's idle cut would, and passes the rest.
 */
async function proxyCuttingStreams(target: string, cuts: number) {
  let cut = 0;
  const server = await proxy(target, (_req, res, answer) => {
    if (!answer || cut >= cuts) return false;
    cut++;
    answer.once('data', (chunk: Buffer) => {
      res.write(chunk);
      res.socket?.destroy();
      answer.destroy();
    });
    return true;
  });
  return { ...server, cut: () => cut };
}

it('opens the stream again when its connection drops before the answer, and still gets it', async () => {
  const api = await flock.spawnApi();
  const proxy = await proxyCuttingStreams(api.base, 2);
  try {
    const client = new FlockClient({ baseUrl: proxy.base, apiKey: TEST_ADMIN_API_KEY });
    // Slow enough that the answer is not ready when the first streams are cut.
    const answer = await client.queryAll({ sql: 'SELECT count(*) AS n FROM member, range(300000) AS r(i)', buckets: ['example'] });
    expect(answer.data.status).toBe('completed');
    expect(proxy.cut()).toBe(2);
  } finally {
    await proxy.close();
  }
});

it('polls when a proxy answers the stream with a page of its own, instead of retrying it', async () => {
  const api = await flock.spawnApi();
  const server = await proxy(api.base, (_req, res, answer) => {
    if (answer) return false;
    res.writeHead(403, { 'content-type': 'text/html' });
    res.end('<html><body>Streaming is not allowed here</body></html>');
    return true;
  });
  try {
    const { client, urls } = recordingClient(server.base);
    const answer = await client.ask('example', 'How many members by type?', { submitWaitMs: 0 });
    expect(answer.data.status).toBe('completed');
    expect(urls.filter((url) => url.endsWith('/events'))).toHaveLength(1);
  } finally {
    await server.close();
  }
});

it("rejects with the job's error code when the question cannot be answered, in one call or by either transport", async () => {
  const api = await flock.spawnApi();
  const client = new FlockClient({ baseUrl: api.base, apiKey: TEST_ADMIN_API_KEY });
  for (const options of [{}, { submitWaitMs: 0, transport: 'auto' }, { submitWaitMs: 0, transport: 'poll' }] as const) {
    const failure = await client.ask('example', 'What is the airspeed velocity of an unladen swallow?', options).catch((e) => e);
    expect(failure).toBeInstanceOf(FlockJobError);
    expect(failure.code).toBe('generation_failed');
    expect(failure.jobId).toMatch(/\S/);
  }
});

it("rejects refused requests with the envelope's code and the HTTP status", async () => {
  const api = await flock.spawnApi();
  const token = await mintToken({ sub: 'alice', buckets: ['example'] });
  const alice = new FlockClient({ baseUrl: api.base, token });
  const forbidden = await alice.tables('jec').catch((e) => e);
  expect(forbidden).toBeInstanceOf(FlockApiError);
  expect([forbidden.code, forbidden.status]).toEqual(['forbidden', 403]);
  const anonymous = await new FlockClient({ baseUrl: api.base }).tables('example').catch((e) => e);
  expect([anonymous.code, anonymous.status]).toEqual(['unauthorized', 401]);
  const admin = new FlockClient({ baseUrl: api.base, apiKey: TEST_ADMIN_API_KEY });
  const missing = await admin.describe('example', 'no_such_table').catch((e) => e);
  expect([missing.code, missing.status]).toEqual(['not_found', 404]);
  const invalid = await admin.query('example', 'DELETE FROM member').catch((e) => e);
  expect(invalid).toBeInstanceOf(FlockApiError);
  expect(invalid.status).toBe(400);
});

it('reads tables, a table and the result of its own SQL, typed by the spec', async () => {
  const api = await flock.spawnApi();
  const client = new FlockClient({ baseUrl: api.base, apiKey: TEST_ADMIN_API_KEY });
  const tables = await client.tables('example');
  expect(tables.data.tables.map((table) => table.name)).toContain('member');
  const member = await client.describe('example', 'member');
  expect(member.data.columns.map((column) => column.name)).toContain('membership_type');
  const result = await client.query('example', 'SELECT count(*) AS n FROM member');
  expect(result.data.columns).toEqual(['n']);
  expect(typeof result.data.rows[0]![0]).toBe('number');
});

it('runs a cross-tenant query and reports its progress until the combined answer', async () => {
  const api = await flock.spawnApi();
  const client = new FlockClient({ baseUrl: api.base, apiKey: TEST_ADMIN_API_KEY });
  const progress: Array<[number, number]> = [];
  const answer = await client.queryAll(
    // Each database takes longer than the stream's half second between progress reads.
    { sql: 'SELECT count(*) AS n FROM member, range(200000) AS r(i)', buckets: ['example', 'jec'] },
    { onProgress: (step) => progress.push([step.databases_done, step.databases_total]) },
  );
  expect(answer.data.status).toBe('completed');
  expect(answer.data.rows).toHaveLength(2);
  expect(progress.length).toBeGreaterThan(0);
  for (const [, total] of progress) expect(total).toBe(2);
});
