import { Redis } from 'ioredis';
import { testRedisUrl, uniquePrefix } from '@flock/testing';
import { tenantSlotsKey, tenantWaitingKey } from './ids';
import { TenantSlots } from './tenant-slots';

let redis: Redis;

beforeAll(() => {
  redis = new Redis(testRedisUrl());
});

afterAll(async () => {
  await redis.quit();
});

describe('TenantSlots', () => {
  it('hands a freed slot to the job that has waited longest, and forgets a waiter once it runs', async () => {
    const prefix = uniquePrefix('slots');
    const slots = new TenantSlots(redis, { prefix, leaseMs: 60_000 });
    expect(await slots.acquire('acme', 'ask', 'a', 2)).toBe(true);
    expect(await slots.acquire('acme', 'ask', 'b', 2)).toBe(true);
    expect(await slots.acquire('acme', 'ask', 'c', 2)).toBe(false);
    await slots.wait('acme', 'ask', 'c');
    expect(await slots.acquire('acme', 'ask', 'd', 2)).toBe(false);
    await slots.wait('acme', 'ask', 'd');
    // Listed again while still waiting: keeps its place.
    await slots.wait('acme', 'ask', 'c');
    // Another bucket's waiters are its own.
    expect(await slots.acquire('other', 'ask', 'x', 1)).toBe(true);

    expect(await slots.release('acme', 'ask', 'a')).toBe('c');
    expect(await slots.acquire('acme', 'ask', 'c', 2)).toBe(true);
    // b's release wakes d; once d runs, nobody is left waiting.
    expect(await slots.release('acme', 'ask', 'b')).toBe('d');
    expect(await slots.acquire('acme', 'ask', 'd', 2)).toBe(true);
    expect(await slots.release('acme', 'ask', 'c')).toBeUndefined();
    expect(await slots.release('other', 'ask', 'x')).toBeUndefined();
  });

  it('drops a waiter that got a slot on its own, and lets the list lapse with the lease', async () => {
    const prefix = uniquePrefix('slots');
    const slots = new TenantSlots(redis, { prefix, leaseMs: 60_000 });
    expect(await slots.acquire('acme', 'query', 'a', 1)).toBe(true);
    expect(await slots.acquire('acme', 'query', 'b', 1)).toBe(false);
    await slots.wait('acme', 'query', 'b');
    const pttl = await redis.pttl(tenantWaitingKey(prefix, 'acme', 'query'));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
    await redis.zrem(tenantSlotsKey(prefix, 'acme', 'query'), 'a'); // a's lease lapsed: its worker died
    expect(await slots.acquire('acme', 'query', 'b', 1)).toBe(true);
    expect(await redis.zcard(tenantWaitingKey(prefix, 'acme', 'query'))).toBe(0);
  });
});
