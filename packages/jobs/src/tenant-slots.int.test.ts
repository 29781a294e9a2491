import { Redis } from 'ioredis';
import { testRedisUrl, uniquePrefix } from '@flock/testing';
import { tenantSlotsKey, tenantSlowCountKey, tenantSlowKey, tenantWaitingKey } from './ids';
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
    expect(await slots.acquire('acme', 'ask', 'a', 2)).toBe('held');
    expect(await slots.acquire('acme', 'ask', 'b', 2)).toBe('held');
    expect(await slots.acquire('acme', 'ask', 'c', 2)).toBe('full');
    await slots.wait('acme', 'ask', 'c');
    expect(await slots.acquire('acme', 'ask', 'd', 2)).toBe('full');
    await slots.wait('acme', 'ask', 'd');
    // Listed again while still waiting: keeps its place.
    await slots.wait('acme', 'ask', 'c');
    // Another bucket's waiters are its own.
    expect(await slots.acquire('other', 'ask', 'x', 1)).toBe('held');

    expect(await slots.release('acme', 'ask', 'a', 2)).toBe('c');
    expect(await slots.acquire('acme', 'ask', 'c', 2)).toBe('held');
    // b's release wakes d; once d runs, nobody is left waiting.
    expect(await slots.release('acme', 'ask', 'b', 2)).toBe('d');
    expect(await slots.acquire('acme', 'ask', 'd', 2)).toBe('held');
    expect(await slots.release('acme', 'ask', 'c', 2)).toBeUndefined();
    expect(await slots.release('other', 'ask', 'x', 1)).toBeUndefined();
  });

  it('drops a waiter that got a slot on its own, and lets the list lapse with the lease', async () => {
    const prefix = uniquePrefix('slots');
    const slots = new TenantSlots(redis, { prefix, leaseMs: 60_000 });
    expect(await slots.acquire('acme', 'query', 'a', 1)).toBe('held');
    expect(await slots.acquire('acme', 'query', 'b', 1)).toBe('full');
    await slots.wait('acme', 'query', 'b');
    const pttl = await redis.pttl(tenantWaitingKey(prefix, 'acme', 'query'));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
    await redis.zrem(tenantSlotsKey(prefix, 'acme', 'query'), 'a'); // a's lease lapsed: its worker died
    expect(await slots.acquire('acme', 'query', 'b', 1)).toBe('held');
    expect(await redis.zcard(tenantWaitingKey(prefix, 'acme', 'query'))).toBe(0);
  });

  it('counts a borrowed slot like any other, and says when the bucket is marked slow', async () => {
    const prefix = uniquePrefix('slots');
    const slots = new TenantSlots(redis, { prefix, leaseMs: 60_000 });
    expect(await slots.acquire('acme', 'ask', 'a', 1)).toBe('held');
    await slots.borrow('acme', 'ask', 'b');
    expect(await redis.zcard(tenantSlotsKey(prefix, 'acme', 'ask'))).toBe(2);
    await slots.wait('acme', 'ask', 'w');
    // a's release leaves b's borrowed slot counted: the cap of 1 is still taken, so the waiter is not woken.
    expect(await slots.release('acme', 'ask', 'a', 1)).toBeUndefined();
    expect(await slots.acquire('acme', 'ask', 'c', 1)).toBe('full');
    await slots.markSlow('acme', 'ask', { firstMs: 60_000, mostMs: 60_000, memoryMs: 120_000 });
    expect(await slots.acquire('acme', 'ask', 'c', 1)).toBe('slow');
    const pttl = await redis.pttl(tenantSlowKey(prefix, 'acme', 'ask'));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
    // The mark is the bucket's and the kind's own.
    expect(await slots.acquire('acme', 'query', 'x', 0)).toBe('full');
    expect(await slots.acquire('other', 'ask', 'y', 0)).toBe('full');
    // b's release frees the one slot: the waiter is woken, still first in line. Marked
    // slow or not, a free slot is a slot.
    expect(await slots.release('acme', 'ask', 'b', 1)).toBe('w');
    expect(await slots.acquire('acme', 'ask', 'c', 1)).toBe('held');
  });

  it('makes a first slow mark short, each one after a lapse, while earlier ones count, twice as long up to the most, and renews one that lasts', async () => {
    const prefix = uniquePrefix('slots');
    const slots = new TenantSlots(redis, { prefix, leaseMs: 60_000 });
    const marks = { firstMs: 10_000, mostMs: 35_000, memoryMs: 120_000 };
    const slowKey = tenantSlowKey(prefix, 'acme', 'ask');
    // A mark's lapse, without waiting for it.
    const lapse = () => redis.del(slowKey);
    expect(await slots.markSlow('acme', 'ask', marks)).toBe(10_000);
    // Renewed, not lengthened, while the mark lasts: the same episode.
    expect(await slots.markSlow('acme', 'ask', marks)).toBe(10_000);
    expect(await redis.pttl(slowKey)).toBeGreaterThan(9_000);
    expect(await slots.acquire('acme', 'ask', 'a', 0)).toBe('slow');
    await lapse();
    expect(await slots.acquire('acme', 'ask', 'a', 0)).toBe('full');
    expect(await slots.markSlow('acme', 'ask', marks)).toBe(20_000);
    expect(await redis.pttl(slowKey)).toBeGreaterThan(19_000);
    await lapse();
    expect(await slots.markSlow('acme', 'ask', marks)).toBe(35_000);
    // Another bucket's marks are its own; once the earlier marks are forgotten, the next is short again.
    expect(await slots.markSlow('other', 'ask', marks)).toBe(10_000);
    expect(await redis.pttl(tenantSlowCountKey(prefix, 'acme', 'ask'))).toBeGreaterThan(110_000);
    await redis.del(slowKey, tenantSlowCountKey(prefix, 'acme', 'ask'));
    expect(await slots.markSlow('acme', 'ask', marks)).toBe(10_000);
  });
});
