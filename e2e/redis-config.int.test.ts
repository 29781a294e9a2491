import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '@flock/local-redis';
import { waitFor } from '@flock/testing';

/**
 * The shipped infra/redis/redis.conf, read by a real redis-server (its port and data
 * folder moved to private ones): what it sets is what BullMQ's production guide asks
 * for, and what the README's sizing assumes.
 */
it('persists to an append-only file fsynced every second, with a memory cap and no eviction', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flock-redis-conf-'));
  const port = await freePort();
  const conf = path.resolve(__dirname, '../infra/redis/redis.conf');
  const server = spawn('redis-server', [conf, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir], { stdio: 'ignore' });
  const redis = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 100 });
  redis.on('error', () => undefined);
  try {
    await waitFor(async () => (await redis.ping().catch(() => undefined)) === 'PONG', { what: 'redis-server with the shipped config' });
    const setting = async (name: string) => ((await redis.config('GET', name)) as string[])[1];
    expect(await setting('appendonly')).toBe('yes');
    expect(await setting('appendfsync')).toBe('everysec');
    expect(await setting('maxmemory-policy')).toBe('noeviction');
    expect(Number(await setting('maxmemory'))).toBeGreaterThan(0);
  } finally {
    redis.disconnect();
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
