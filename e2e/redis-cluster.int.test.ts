import { Cluster } from 'ioredis';
import request from 'supertest';
import { QUEUE_NAMES, jobRecordKey, tenantSlotsKey, tenantSlowCountKey, tenantSlowKey } from '@flock/jobs';
import { startLocalRedisCluster, type LocalRedisCluster } from '@flock/local-redis';
import { uniquePrefix, waitFor } from '@flock/testing';
import { asAdmin, settle, settleQueryAll, submit, submitQueryAll, useHarness } from './support/flock-harness';

/**
 * Flock on a real Redis Cluster (issue 11): three `redis-server --cluster-enabled yes`
 * masters on private ports, joined with `redis-cli --cluster create`. The API and a
 * worker runtime run against it with FLOCK_REDIS_CLUSTER=true and a hash-tagged prefix.
 */
let cluster: LocalRedisCluster;
let client: Cluster;
const tag = `{${uniquePrefix()}}`;

beforeAll(async () => {
  cluster = await startLocalRedisCluster(3);
  client = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
}, 60_000);

afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
});

describe('on Redis Cluster', () => {
  const flock = useHarness(() => ({
    env: {
      REDIS_URL: cluster.url,
      FLOCK_REDIS_CLUSTER: 'true',
      FLOCK_REDIS_PREFIX: tag,
      FLOCK_TENANT_CONCURRENCY: '1',
      // Every ask runs, through the fair share, rather than come from an earlier one's answer.
      FLOCK_ANSWER_CACHE: 'false',
    },
  }));

  it('answers asks, held polls included, with the job records spread over the cluster', async () => {
    // One ask first, then its slow mark (and the count of marks) cleared: the bucket's
    // first ask in a fresh process (schema, first query, cold code) can run past 250 ms,
    // and its bucket would be lent nothing for a while.
    await settle(flock.app, 'example', await submit(flock.app, 'example', 'How many members by type?'));
    await client.del(tenantSlowKey(tag, 'example', 'ask'));
    await client.del(tenantSlowCountKey(tag, 'example', 'ask'));
    const jobIds = await Promise.all(Array.from({ length: 12 }, () => submit(flock.app, 'example', 'How many members by type?')));
    // A held poll is woken by the finish notification, published from a script on whichever node holds the record.
    const held = await asAdmin(request(flock.app).get(`/api/v1/example/ask/jobs/${jobIds[0]}?wait_ms=15000`));
    expect(held.status).toBe(200);
    for (const jobId of jobIds) {
      const body = await settle(flock.app, 'example', jobId);
      expect(body.data.status).toBe('completed');
      expect(body.data.rows.length).toBeGreaterThan(0);
    }
    // Flock's own keys spread over slots, and over nodes; BullMQ's share the prefix's slot.
    const slots = await Promise.all(jobIds.map((jobId) => client.cluster('KEYSLOT', jobRecordKey(tag, jobId))));
    expect(new Set(slots).size).toBeGreaterThan(1);
    const queueSlot = await client.cluster('KEYSLOT', `${tag}:${QUEUE_NAMES.ask}:wait`);
    expect(await client.cluster('KEYSLOT', `${tag}:${QUEUE_NAMES.queryAllChunk}:wait`)).toBe(queueSlot);
    const nodesHolding = await Promise.all(
      client.nodes('master').map(async (node) => (await node.keys(`${tag.slice(1, -1)}:job:*`)).length),
    );
    expect(nodesHolding.filter((count) => count > 0).length).toBeGreaterThan(1);
    // Twelve asks through a fair share of one slot, some in slots lent beyond it: each
    // handed its slot back (both keys in one slot).
    expect(await client.zcard(tenantSlotsKey(tag, 'example', 'ask'))).toBe(0);
    // With the bucket alone in the queue, the worker lent it idle slots: the scripts that
    // tell (every waiting job's payload read from a script) ran on the cluster. A job's
    // log is written just after its answer, so it is waited for.
    const lent = await waitFor(
      async () => {
        const logs = await Promise.all(jobIds.map((jobId) => client.lrange(`${tag}:${QUEUE_NAMES.ask}:${jobId}:logs`, 0, 0)));
        return logs.flat().length === jobIds.length ? logs.flat().filter((line) => line.includes('; slot: lent')) : undefined;
      },
      { what: "the asks' logs" },
    );
    expect(lent.length).toBeGreaterThan(0);
  });

  it('runs a cross-tenant query, whose flow spans two queues, to one combined answer', async () => {
    const jobId = await submitQueryAll(flock.app, { sql: 'SELECT count(*) AS n FROM member', buckets: ['example', 'jec'] });
    const body = await settleQueryAll(flock.app, jobId);
    expect(body.data.status).toBe('completed');
    expect(body.data.rows.length).toBe(2);
    expect(body.meta.databases_queried).toBe(2);
  });

  it('serves /metrics with queue depth read from the cluster', async () => {
    const text = (await asAdmin(request(flock.app).get('/metrics'))).text;
    expect(text).toMatch(new RegExp(`bullmq_job_count\\{queue="${QUEUE_NAMES.ask}",state="completed"[^}]*\\} [1-9]`));
  });
});
