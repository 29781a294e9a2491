import { closeSync, openSync } from 'node:fs';
import request from 'supertest';
import { freePort } from '@flock/local-redis';
import { TEST_ADMIN_API_KEY, spawnTs, waitFor, type FlockProcess } from '@flock/testing';
import { useHarness } from './support/flock-harness';

/**
 * A log destination that fails on every write (/dev/full, as a full disk does) must not
 * take the service down: a real API process logging there keeps answering, and stops
 * on SIGTERM.
 */
const flock = useHarness(() => ({ worker: false }));

let api: FlockProcess | undefined;
afterEach(async () => {
  await api?.kill('SIGKILL');
  api = undefined;
});

it('keeps answering, and stops on SIGTERM, while every log write fails', async () => {
  const full = openSync('/dev/full', 'w');
  try {
    const port = await freePort();
    api = spawnTs(
      'apps/api/src/main.ts',
      { ...flock.env, FLOCK_LOG_LEVEL: 'info', PORT: String(port), HOST: '127.0.0.1' },
      { stdout: full },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok === true, { what: 'the API to listen' });

    // Each request writes an access line, and each write fails.
    for (let i = 0; i < 100; i++) {
      const res = await request(base)
        .post('/api/v1/example/ask')
        .set('X-API-Key', TEST_ADMIN_API_KEY)
        .send({ question: 'How many members?' });
      expect(res.status).toBe(202);
    }
    expect((await request(base).get('/healthz')).status).toBe(200);
    expect(await api.kill('SIGTERM')).toBe(0);
  } finally {
    closeSync(full);
  }
});
