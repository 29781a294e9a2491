import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Queue } from 'bullmq';
import { Webhook } from 'standardwebhooks';
import { mintToken, waitFor } from '@flock/testing';
import { asAdmin, settle, settleQueryAll, useHarness, type Harness } from './support/flock-harness';

/**
 * Webhooks (issue 12) through a real worker process, real Redis, BullMQ and DuckDB: the
 * receiving end is an HTTP server in this test. Its paths script how it answers:
 * `/ok/…` with 204, `/flaky/N/…` with 503 for the first N requests to that path, `/down/…`
 * with 500 always.
 */
const SECRET = 'whsec_' + Buffer.alloc(32, 42).toString('base64');
const ATTEMPTS = 3;
const webhookEnv = {
  FLOCK_WEBHOOK_SECRET: SECRET,
  // The receiver is on this machine, so on a loopback address.
  FLOCK_WEBHOOK_ALLOW_PRIVATE: 'true',
  FLOCK_WEBHOOK_ATTEMPTS: String(ATTEMPTS),
  FLOCK_WEBHOOK_BACKOFF_SECONDS: '0.05',
};

interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let receiver: Server;
let base: string;
const hits: Hit[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      hits.push({ path, headers: req.headers, body });
      const flaky = /^\/flaky\/(\d+)\//.exec(path);
      const seen = hits.filter((hit) => hit.path === path).length;
      if (path.startsWith('/down/') || (flaky && seen <= Number(flaky[1]))) res.writeHead(path.startsWith('/down/') ? 500 : 503).end('no');
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

const hitsAt = (path: string) => hits.filter((hit) => hit.path === path);
/** Waits until `path` has had `count` requests, and returns them. */
const received = (path: string, count: number) =>
  waitFor(async () => hitsAt(path).length >= count && hitsAt(path), { what: `${count} webhook(s) at ${path}`, timeoutMs: 30_000 });

/** Verifies a delivery as a receiver would, with the reference library; throws when the signature does not match. */
const verified = (hit: Hit) => new Webhook(SECRET).verify(hit.body, hit.headers as Record<string, string>);

/** The state of a job's delivery in BullMQ, and the attempts it made. */
async function delivery(flock: Harness, jobId: string): Promise<{ state: string; attemptsMade: number }> {
  const queue = new Queue('flock-webhook', { connection: { url: flock.env.REDIS_URL }, prefix: flock.env.FLOCK_REDIS_PREFIX });
  try {
    const job = await queue.getJob(`${jobId}-webhook`);
    return { state: job ? await job.getState() : 'missing', attemptsMade: job?.attemptsMade ?? 0 };
  } finally {
    await queue.close();
  }
}

const settledDelivery = (flock: Harness, jobId: string, state: 'completed' | 'failed') =>
  waitFor(
    async () => {
      const now = await delivery(flock, jobId);
      return now.state === state && now;
    },
    { what: `delivery of ${jobId} ${state}`, timeoutMs: 30_000 },
  );

async function ask(flock: Harness, body: object, bucket = 'example') {
  return asAdmin(request(flock.app).post(`/api/v1/${bucket}/ask`)).send(body);
}

describe('delivery, by a worker process', () => {
  const flock = useHarness(() => ({ worker: false, env: webhookEnv }));
  beforeAll(async () => {
    flock.spawnWorker();
    await flock.workersReady('flock-webhook', 1);
  });

  it("POSTs an ask's poll body to its callback_url once it finishes, signed", async () => {
    const submitted = await ask(flock, { question: 'How many members by type?', callback_url: `${base}/ok/ask?token=t1#frag` });
    expect(submitted.status).toBe(202);
    // The submit response is unchanged.
    expect(submitted.body).toEqual({ data: { job_id: expect.any(String), status: 'processing' } });
    const jobId = submitted.body.data.job_id as string;
    const [hit] = await received('/ok/ask?token=t1', 1);
    const poll = await settle(flock.app, 'example', jobId);
    expect(poll.data.status).toBe('completed');
    expect(hit!.headers['webhook-id']).toBe(jobId);
    expect(hit!.headers['content-type']).toBe('application/json');
    expect(verified(hit!)).toEqual(poll);
    // The callback URL is the submitter's: it shows in no response.
    expect(JSON.stringify(poll)).not.toContain('token=t1');
    // BullMQ counts the attempt that succeeded: one, the first.
    expect((await settledDelivery(flock, jobId, 'completed')).attemptsMade).toBe(1);
    expect(hitsAt('/ok/ask?token=t1')).toHaveLength(1);
  });

  it("POSTs a query-all's poll body to its callback_url", async () => {
    const submitted = await asAdmin(request(flock.app).post('/query-all')).send({
      sql: 'SELECT count(*) AS n FROM member',
      buckets: ['example', 'jec'],
      callback_url: `${base}/ok/query-all`,
    });
    expect(submitted.status).toBe(202);
    const jobId = submitted.body.data.job_id as string;
    const [hit] = await received('/ok/query-all', 1);
    const poll = await settleQueryAll(flock.app, jobId);
    expect(poll.meta.databases_queried).toBe(2);
    expect(verified(hit!)).toEqual(poll);
  });

  it('holds a delivery woken before its job has finished until it has, and sends the final body once', async () => {
    const submitted = await asAdmin(request(flock.app).post('/query-all')).send({
      // Long enough that the delivery runs while the job is still processing.
      sql: 'SELECT count(*) AS n FROM member, range(300000) AS r(i)',
      buckets: ['example', 'jec'],
      callback_url: `${base}/ok/early`,
    });
    const jobId = submitted.body.data.job_id as string;
    const queue = new Queue('flock-webhook', { connection: { url: flock.env.REDIS_URL }, prefix: flock.env.FLOCK_REDIS_PREFIX });
    try {
      // Woken as a finish would wake it, but early.
      await (await queue.getJob(`${jobId}-webhook`))!.promote();
    } finally {
      await queue.close();
    }
    const [hit] = await received('/ok/early', 1);
    const poll = await settleQueryAll(flock.app, jobId);
    expect(poll.data.status).toBe('completed');
    expect(verified(hit!)).toEqual(poll);
    // Waiting for the job cost no attempt.
    expect((await settledDelivery(flock, jobId, 'completed')).attemptsMade).toBe(1);
    expect(hitsAt('/ok/early')).toHaveLength(1);
  });

  it('delivers a failed job too: its poll body says why', async () => {
    const submitted = await ask(flock, { question: 'Delete every member', callback_url: `${base}/ok/failed` });
    const jobId = submitted.body.data.job_id as string;
    const [hit] = await received('/ok/failed', 1);
    const poll = await settle(flock.app, 'example', jobId);
    expect(poll.data.status).toBe('failed');
    expect(verified(hit!)).toEqual(poll);
  });

  it('retries a callback that fails, with backoff, and delivers the same message', async () => {
    const jobId = (await ask(flock, { question: 'How many members do we have?', callback_url: `${base}/flaky/2/a` })).body.data.job_id;
    const tries = await received('/flaky/2/a', 3);
    const { attemptsMade } = await settledDelivery(flock, jobId, 'completed');
    expect(attemptsMade).toBe(3);
    // One message: the same id and body on every attempt, each signed.
    expect(new Set(tries.map((hit) => hit.headers['webhook-id']))).toEqual(new Set([jobId]));
    expect(new Set(tries.map((hit) => hit.body)).size).toBe(1);
    for (const hit of tries) expect(verified(hit)).toEqual(await settle(flock.app, 'example', jobId));
  });

  it("leaves the job's answer alone when its callback never succeeds; the delivery ends failed", async () => {
    const jobId = (await ask(flock, { question: 'How many members do we have?', callback_url: `${base}/down/a` })).body.data.job_id;
    const { attemptsMade } = await settledDelivery(flock, jobId, 'failed');
    expect(attemptsMade).toBe(ATTEMPTS);
    expect(hitsAt('/down/a')).toHaveLength(ATTEMPTS);
    const poll = await settle(flock.app, 'example', jobId);
    expect(poll.data.status).toBe('completed');
    expect(poll.data.rows).toEqual([[expect.any(Number)]]);
  });

  it('shows the webhook queue in Bull Board', async () => {
    const res = await asAdmin(request(flock.app).get('/admin/queues/api/queues'));
    expect(res.body.queues.map((queue: { name: string }) => queue.name)).toContain('flock-webhook');
  });
});

describe('a job no process finishes', () => {
  // Nothing runs the ask before its deadline; the worker started after it finds the job timed out.
  const flock = useHarness(() => ({
    worker: false,
    env: { ...webhookEnv, FLOCK_WORKER_TIMEOUT_SECONDS: '2', FLOCK_QUERY_TIMEOUT_SECONDS: '1' },
  }));

  it('is delivered at its deadline, as the worker_timeout failure the poll shows', async () => {
    const jobId = (await ask(flock, { question: 'How many members do we have?', callback_url: `${base}/ok/timeout` })).body.data.job_id;
    // Only once the job has read as timed out does a worker start.
    const poll = await settle(flock.app, 'example', jobId, 10_000);
    expect(poll.data.error_code).toBe('worker_timeout');
    flock.spawnWorker();
    const [hit] = await received('/ok/timeout', 1);
    expect(verified(hit!)).toEqual(poll);
  });
});

describe('refusals at submission', () => {
  const flock = useHarness(() => ({
    worker: false,
    env: { FLOCK_WEBHOOK_SECRET: SECRET, FLOCK_WEBHOOK_ALLOWED_HOSTS: 'allowed.flock.test,127.0.0.2' },
  }));
  const envelope = (message: string | RegExp) => ({
    error: { code: 'bad_request', message: typeof message === 'string' ? message : expect.stringMatching(message) },
  });

  it.each([
    ['a loopback address', () => `${base}/ok/x`, /^'callback_url' points at a loopback address \(127\.0\.0\.1\)/],
    ['a hostname resolving to loopback', () => 'http://localhost:8080/hook', /^'callback_url' points at a loopback address/],
    ['the metadata service', () => 'http://169.254.169.254/latest/meta-data/', /points at a link-local address/],
    ['IPv4-mapped loopback', () => 'http://[::ffff:127.0.0.1]:8080/', /points at a loopback address/],
    ['a private address', () => 'https://10.1.2.3/hook', /points at a private address/],
    ['a non-http URL', () => 'ftp://example.com/hook', "'callback_url' must be an http or https URL"],
    ['credentials in the URL', () => 'https://user:pw@example.com/hook', "'callback_url' must not carry a user name or password"],
    ['a string that is no URL', () => 'hook please', "'callback_url' must be an absolute http or https URL"],
    ['a number', () => 42, "'callback_url' must be a string"],
  ])('answers 400 bad_request for %s, on ask and query-all', async (_label, url, message) => {
    const asked = await ask(flock, { question: 'How many members?', callback_url: url() });
    expect(asked.status).toBe(400);
    expect(asked.body).toEqual(envelope(message));
    const all = await asAdmin(request(flock.app).post('/query-all')).send({ sql: 'SELECT 1 AS n', callback_url: url() });
    expect(all.status).toBe(400);
    expect(all.body).toEqual(envelope(message));
  });

  it('accepts a non-public address the allowlist names', async () => {
    expect((await ask(flock, { question: 'How many members?', callback_url: 'http://127.0.0.2:9/hook' })).status).toBe(202);
  });

  it("keeps a user's callback_url to that user: another user cannot see the job", async () => {
    const alice = `Bearer ${await mintToken({ sub: 'alice', buckets: ['example'] })}`;
    const bob = `Bearer ${await mintToken({ sub: 'bob', buckets: ['example'] })}`;
    const submitted = await request(flock.app)
      .post('/api/v1/example/ask')
      .set('Authorization', alice)
      .send({ question: 'How many members?', callback_url: 'http://127.0.0.2:9/alice-secret' });
    expect(submitted.status).toBe(202);
    const url = `/api/v1/example/ask/jobs/${submitted.body.data.job_id}`;
    const own = await request(flock.app).get(url).set('Authorization', alice);
    expect(own.status).toBe(200);
    expect(JSON.stringify(own.body)).not.toContain('alice-secret');
    expect((await request(flock.app).get(url).set('Authorization', bob)).status).toBe(404);
  });
});

describe('with webhooks off (no FLOCK_WEBHOOK_SECRET)', () => {
  const flock = useHarness(() => ({ worker: false }));

  it('refuses a callback_url with 400 and says why, and accepts the same request without one', async () => {
    const res = await ask(flock, { question: 'How many members?', callback_url: 'https://hooks.example.com/flock' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: {
        code: 'bad_request',
        message: "Webhooks are not enabled on this deployment, so 'callback_url' cannot be used; poll the job instead",
      },
    });
    expect((await ask(flock, { question: 'How many members?' })).status).toBe(202);
  });
});
