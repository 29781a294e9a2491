import { closeSync, openSync } from 'node:fs';
import request from 'supertest';
import { TEST_ADMIN_API_KEY } from '@flock/testing';
import { useHarness } from './support/flock-harness';

/**
 * A log destination that fails on every write (/dev/full, as a full disk does) must not
 * take the service down: a real API process logging there keeps answering, and stops
 * on SIGTERM.
 */
const flock = useHarness(() => ({ worker: false }));

it('keeps answering, and stops on SIGTERM, while every log write fails', async () => {
  const full = openSync('/dev/full', 'w');
  try {
    const api = await flock.spawnApi({}, { stdout: full });

    // Each request writes an access line, and each write fails.
    for (let i = 0; i < 100; i++) {
      const res = await request(api.base)
        .post('/api/v1/example/ask')
        .set('X-API-Key', TEST_ADMIN_API_KEY)
        .send({ question: 'How many members?' });
      expect(res.status).toBe(202);
    }
    expect((await request(api.base).get('/healthz')).status).toBe(200);
    expect(await api.kill('SIGTERM')).toBe(0);
  } finally {
    closeSync(full);
  }
});
