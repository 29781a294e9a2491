import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import request from 'supertest';
import { QUEUE_NAMES } from '@flock/jobs';
import { freePort } from '@flock/local-redis';
import { TEST_ADMIN_API_KEY, mintToken, waitFor } from '@flock/testing';
import { asAdmin, settle, submit, useHarness } from './support/flock-harness';

/** The value of one series in a Prometheus exposition, by name and the labels it must carry. */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const has = Object.entries(labels).every(([key, value]) => match[3]?.includes(`${key}="${value}"`));
    if (has) return Number(match[4]);
  }
  return undefined;
}

/** Every label value in an exposition: what must never hold a bucket, job or caller. */
const labelValues = (exposition: string) => [...exposition.matchAll(/="([^"]*)"/g)].map((match) => match[1]);

describe('API metrics', () => {
  const flock = useHarness(() => ({ env: { FLOCK_RATE_LIMIT_ASKS_PER_MINUTE: '3' } }));
  const scrape = async () => (await asAdmin(request(flock.app).get('/metrics'))).text;

  it('are served to admin keys only', async () => {
    expect((await request(flock.app).get('/metrics')).status).toBe(401);
    const tenant = await mintToken({ sub: 'alice', buckets: ['example'] });
    const refused = await request(flock.app).get('/metrics').set('Authorization', `Bearer ${tenant}`);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ error: { code: 'forbidden', message: 'Admin API key required' } });
    const res = await request(flock.app).get('/metrics').set('X-API-Key', TEST_ADMIN_API_KEY);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(sample(res.text, 'process_resident_memory_bytes', { component: 'api' })).toBeGreaterThan(0);
  });

  it('count requests by route template and status, queue depth by state, and name no bucket or job', async () => {
    const jobId = await submit(flock.app, 'jec', 'How many members do we have?');
    expect((await settle(flock.app, 'jec', jobId)).data.status).toBe('completed');
    await asAdmin(request(flock.app).get('/api/v1/jec/ask/jobs/no-such-job'));

    const text = await scrape();
    const requests = (route: string, status: string) =>
      sample(text, 'flock_http_request_duration_seconds_count', { route, status, method: route.endsWith('/ask') ? 'POST' : 'GET' });
    expect(requests('/api/v1/:bucket/ask', '202')).toBeGreaterThanOrEqual(1);
    expect(requests('/api/v1/:bucket/ask/jobs/:jobId', '200')).toBeGreaterThanOrEqual(1);
    expect(requests('/api/v1/:bucket/ask/jobs/:jobId', '404')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'bullmq_job_count', { queue: QUEUE_NAMES.ask, state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'bullmq_job_count', { queue: QUEUE_NAMES.ask, state: 'waiting' })).toBe(0);
    expect(sample(text, 'bullmq_job_completed_total', { queue: QUEUE_NAMES.ask })).toBeGreaterThanOrEqual(1);

    const values = labelValues(text);
    expect(values).not.toContain('jec');
    expect(values).not.toContain(jobId);
    expect(text).not.toContain(jobId);
    expect(text).not.toContain(TEST_ADMIN_API_KEY);
  });

  it('count the requests each rate limit refuses', async () => {
    const before = sample(await scrape(), 'flock_rate_limit_rejections_total', { limit: 'asks' }) ?? 0;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await asAdmin(request(flock.app).post('/api/v1/example/ask')).send({ question: 'How many members?' })).status);
    }
    const refused = statuses.filter((status) => status === 429).length;
    expect(refused).toBeGreaterThan(0);
    expect(sample(await scrape(), 'flock_rate_limit_rejections_total', { limit: 'asks' })).toBe(before + refused);
  });
});

describe('with FLOCK_METRICS off', () => {
  const flock = useHarness(() => ({ env: { FLOCK_METRICS: 'false' } }));

  it('records none and answers /metrics with 404, and still answers asks', async () => {
    const res = await asAdmin(request(flock.app).get('/metrics'));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    const jobId = await submit(flock.app, 'example', 'How many members do we have?');
    expect((await settle(flock.app, 'example', jobId)).data.status).toBe('completed');
  });
});

describe('queue depth with no worker running', () => {
  const flock = useHarness(() => ({ worker: false }));

  it('counts a waiting ask in bullmq_job_count and in the Redis list KEDA watches', async () => {
    await submit(flock.app, 'example', 'How many members do we have?');
    const text = (await asAdmin(request(flock.app).get('/metrics'))).text;
    expect(sample(text, 'bullmq_job_count', { queue: QUEUE_NAMES.ask, state: 'waiting' })).toBe(1);
    // infra/k8s/keda/scaledobject.yaml names `{FLOCK_REDIS_PREFIX}:{queue}:wait`.
    const redis = new Redis(flock.env.REDIS_URL!);
    try {
      expect(await redis.llen(`${flock.env.FLOCK_REDIS_PREFIX}:${QUEUE_NAMES.ask}:wait`)).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});

describe('the worker operations port', () => {
  const flock = useHarness(() => ({ worker: false }));

  it('serves health, readiness and metrics of the jobs the worker process ran, with no bucket or job in them', async () => {
    const port = await freePort();
    const worker = flock.spawnWorker({ FLOCK_WORKER_PORT: String(port), HOST: '127.0.0.1' });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200, { what: 'the worker to be ready' });
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });

    const answered = await submit(flock.app, 'example', 'How many members by type?');
    expect((await settle(flock.app, 'example', answered)).data.status).toBe('completed');
    const refused = await submit(flock.app, 'example', 'Which colour is the sky?');
    const failed = await settle(flock.app, 'example', refused);
    expect(failed.data.status).toBe('failed');

    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const ask = { kind: 'ask', engine: 'builtin' };
    expect(sample(text, 'flock_job_duration_seconds_count', { ...ask, outcome: 'completed', code: 'none' })).toBe(1);
    expect(sample(text, 'flock_job_duration_seconds_count', { ...ask, outcome: 'failed', code: failed.data.error_code })).toBe(1);
    expect(sample(text, 'flock_generation_duration_seconds_count', { engine: 'builtin' })).toBe(1);
    expect(sample(text, 'flock_execution_duration_seconds_count', { kind: 'ask' })).toBe(1);
    expect(sample(text, 'flock_sandbox_attaches_total')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'flock_sandbox_instances', { state: 'reusable' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'flock_worker_process_up')).toBe(1);
    expect(sample(text, 'process_resident_memory_bytes', { component: 'worker' })).toBeGreaterThan(0);
    // One exposition: the supervisor's and the worker process's series never share a name.
    const types = text.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);

    const values = labelValues(text);
    for (const secret of ['example', answered, refused]) expect(values).not.toContain(secret);
    expect(text).not.toContain(answered);

    expect((await fetch(`${base}/nope`)).status).toBe(404);

    // Every series the shipped Grafana dashboard charts is one the API or the worker serves.
    const api = (await asAdmin(request(flock.app).get('/metrics'))).text;
    const served = new Set([...`${text}\n${api}`.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/gm)].map((match) => match[1]));
    const dashboard = JSON.parse(readFileSync(path.resolve(__dirname, '../infra/grafana/flock-dashboard.json'), 'utf8'));
    const charted = dashboard.panels.flatMap((panel: { targets: { expr: string }[] }) =>
      panel.targets.flatMap((target) =>
        [...target.expr.matchAll(/\b((?:flock|bullmq|process|nodejs)_[a-z0-9_]+)/g)].map((match) => match[1]),
      ),
    );
    expect(charted.length).toBeGreaterThan(10);
    for (const name of charted) expect({ name, served: served.has(name) }).toEqual({ name, served: true });
    await worker.kill('SIGTERM');
  });
});
