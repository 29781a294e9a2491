import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import request from 'supertest';
import type { Express } from 'express';
import { ApiKeyFile } from '@flock/auth';
import { ownPrefix } from '@flock/jobs';
import { createLogger } from '@flock/logger';
import { TEST_ADMIN_API_KEY, mintToken, testConfig, testRedisUrl } from '@flock/testing';
import { createApiContext, type ApiContext } from '../api-context';
import { createApp } from '../app';

/** Bull Board behind a login (issue 18), on a real Redis: sessions, CSRF, refusals and logout. */
const contexts: ApiContext[] = [];
let redis: Redis;
let keysFile: string;
let tenantKey: string;

function startApp(overrides: Record<string, string> = {}): { app: Express; prefix: string } {
  const config = testConfig({ FLOCK_API_KEYS_FILE: keysFile, ...overrides });
  const context = createApiContext(config, createLogger('board-test', 'silent'));
  contexts.push(context);
  return { app: createApp(context.deps), prefix: config.redisPrefix };
}

beforeAll(async () => {
  redis = new Redis(testRedisUrl());
  keysFile = path.join(os.tmpdir(), `flock-board-test-${randomUUID()}.json`);
  tenantKey = (await new ApiKeyFile(keysFile).create({ name: 'tenant', buckets: ['example'], admin: false })).key;
});

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await redis.quit();
  rmSync(keysFile, { force: true });
});

/** The login form's CSRF token, and the agent that holds its cookie. */
async function loginForm(agent: ReturnType<typeof request.agent>): Promise<string> {
  const res = await agent.get('/admin/login').set('Accept', 'text/html');
  expect(res.status).toBe(200);
  return /name="csrf" value="([^"]+)"/.exec(res.text)![1]!;
}

async function logIn(agent: ReturnType<typeof request.agent>, key: string) {
  const csrf = await loginForm(agent);
  return agent.post('/admin/login').type('form').send({ key, csrf });
}

describe('the board login', () => {
  let app: Express;
  let prefix: string;
  beforeAll(() => ({ app, prefix } = startApp()));

  it('sends a browser without a session to the login page, and the board API answers 401', async () => {
    const page = await request(app).get('/admin/queues').set('Accept', 'text/html');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/admin/login');
    // A script (curl sends */*) is told 401, not sent to a form.
    expect((await request(app).get('/admin/queues').set('Accept', '*/*')).status).toBe(401);
    const api = await request(app).get('/admin/queues/api/queues').set('Accept', 'application/json');
    expect(api.status).toBe(401);
    expect(api.body).toEqual({ error: { code: 'unauthorized', message: 'Authentication required' } });
  });

  it('logs an admin key in with a session cookie that opens the board, and only the board', async () => {
    const agent = request.agent(app);
    const res = await logIn(agent, TEST_ADMIN_API_KEY);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/queues');
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('flock_board='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/admin/);
    expect(cookie).toMatch(/Max-Age=3600/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP here; see the proxy test below
    // The token is not what Redis keeps.
    const token = /^flock_board=([^;]+)/.exec(cookie)![1]!;
    expect(await redis.keys(`${ownPrefix(prefix)}:board-session:*`)).not.toContainEqual(expect.stringContaining(token));

    const board = await agent.get('/admin/queues').set('Accept', 'text/html');
    expect(board.status).toBe(200);
    expect(board.text).toContain('<div id="root">');
    const queues = await agent.get('/admin/queues/api/queues').set('Accept', 'application/json');
    expect(queues.status).toBe(200);
    expect(queues.body.queues.length).toBeGreaterThan(0);
    // Read-only: it cannot retry or clean.
    const retry = await agent.put('/admin/queues/api/queues/flock-ask/retry/failed');
    expect(retry.status).toBeGreaterThanOrEqual(400);

    // The cookie is never a credential for the tenant API, even sent there by hand.
    const tenantApi = await request(app).get('/api/v1/example/tables').set('Cookie', `flock_board=${token}`);
    expect(tenantApi.status).toBe(401);
  });

  it('refuses a wrong key and a tenant key, and a form without its CSRF token', async () => {
    for (const key of ['flk_not_a_key_0123456789abcdef', tenantKey]) {
      const res = await logIn(request.agent(app), key);
      expect(res.status).toBe(401);
      expect(res.text).toContain('That is not an admin API key.');
      expect(res.headers['set-cookie'] ?? []).not.toContainEqual(expect.stringMatching(/^flock_board=/));
    }
    const agent = request.agent(app);
    await loginForm(agent);
    const forged = await agent.post('/admin/login').type('form').send({ key: TEST_ADMIN_API_KEY, csrf: 'forged' });
    expect(forged.status).toBe(403);
    const noCookie = await request(app)
      .post('/admin/login')
      .type('form')
      .send({ key: TEST_ADMIN_API_KEY, csrf: await loginForm(request.agent(app)) });
    expect(noCookie.status).toBe(403);
  });

  it('ends the session on logout, and when its time is up', async () => {
    const agent = request.agent(app);
    await logIn(agent, TEST_ADMIN_API_KEY);
    const logoutPage = await agent.get('/admin/logout');
    const csrf = /name="csrf" value="([^"]+)"/.exec(logoutPage.text)![1]!;
    const out = await agent.post('/admin/logout').type('form').send({ csrf });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/admin/login');
    expect((await agent.get('/admin/queues').set('Accept', 'text/html')).status).toBe(303);

    const expiring = request.agent(app);
    const res = await logIn(expiring, TEST_ADMIN_API_KEY);
    const token = /flock_board=([^;]+)/.exec((res.headers['set-cookie'] as unknown as string[]).join(';'))![1]!;
    const keys = await redis.keys(`${ownPrefix(prefix)}:board-session:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) await redis.pexpire(key, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const after = await request(app).get('/admin/queues').set('Accept', 'text/html').set('Cookie', `flock_board=${token}`);
    expect(after.status).toBe(303);
  });

  it("ends the sessions of an admin key once it is revoked, and sends a proxy's Basic auth to the login", async () => {
    const file = new ApiKeyFile(keysFile);
    const name = `ops-${randomUUID().slice(0, 8)}`;
    const { key } = await file.create({ name, buckets: '*', admin: true });
    // The key file is re-read at most once a second.
    const reread = () => new Promise((resolve) => setTimeout(resolve, 1_100));
    await reread();
    const agent = request.agent(app);
    expect((await logIn(agent, key)).status).toBe(303);
    expect((await agent.get('/admin/queues').set('Accept', 'text/html')).status).toBe(200);
    expect(await file.revoke(name)).toBe(true);
    await reread();
    const after = await agent.get('/admin/queues').set('Accept', 'text/html');
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/admin/login');

    const basic = await request(app).get('/admin/queues').set('Accept', 'text/html').set('Authorization', 'Basic b3BzOnNlY3JldA==');
    expect(basic.status).toBe(303);
  });

  it('still takes an admin key in a header, for scripts, and refuses a tenant key there', async () => {
    expect((await request(app).get('/admin/queues/api/queues').set('X-API-Key', TEST_ADMIN_API_KEY)).status).toBe(200);
    expect((await request(app).get('/admin/queues/api/queues').set('X-API-Key', tenantKey)).status).toBe(403);
    // A user's token that is not an admin's is refused, not a crash (its refusal is thrown from passport's callback).
    const user = await mintToken({ sub: 'alice', buckets: ['example'] });
    expect((await request(app).get('/admin/queues/api/queues').set('Authorization', `Bearer ${user}`)).status).toBe(403);
  });
});

it('limits failed logins per client address', async () => {
  const { app } = startApp({ FLOCK_RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '2' });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await logIn(request.agent(app), 'flk_wrong_key_0123456789abcdef')).status);
  expect(statuses).toEqual([401, 401, 429, 429]);
  // Refused before the key is checked: the right key gets no further from that address.
  expect((await logIn(request.agent(app), TEST_ADMIN_API_KEY)).status).toBe(429);
});

it('marks the cookie Secure when a trusted proxy says the client used TLS', async () => {
  const { app } = startApp({ FLOCK_TRUST_PROXY: 'true' });
  const agent = request.agent(app);
  const page = await agent.get('/admin/login').set('X-Forwarded-Proto', 'https');
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;
  const res = await agent
    .post('/admin/login')
    .set('X-Forwarded-Proto', 'https')
    .set('Cookie', (page.headers['set-cookie'] as unknown as string[]).map((line) => line.split(';')[0]).join('; '))
    .type('form')
    .send({ key: TEST_ADMIN_API_KEY, csrf });
  expect(res.status).toBe(303);
  expect((res.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('flock_board='))).toMatch(/Secure/);
});
