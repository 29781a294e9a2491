import { renameSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { SchemaContexts } from '@flock/jobs';
import { testRedisUrl, uniquePrefix, useTempWarehouseDir, writeDuckDb } from '@flock/testing';
import { DirectoryTenantCatalog, Warehouse, type SchemaStore } from '@flock/warehouse';

/**
 * Two worker processes' warehouses over one folder and one real Redis: a schema read
 * by one is loaded by the other, never read twice, and a replaced file is read afresh.
 */
const warehouses = useTempWarehouseDir('schema-sharing', {
  sql: Object.fromEntries(
    ['north', 'south', 'east'].map((bucket) => [
      bucket,
      `CREATE TABLE shop (id INTEGER PRIMARY KEY, region VARCHAR); INSERT INTO shop VALUES (1, '${bucket}-a'), (2, '${bucket}-b');`,
    ]),
  ),
});
let redis: Redis;
let store: SchemaContexts;
const opened: Warehouse[] = [];

beforeAll(() => {
  redis = new Redis(testRedisUrl());
  store = new SchemaContexts(redis, uniquePrefix('schema-sharing'));
});

afterAll(async () => {
  for (const warehouse of opened) warehouse.close();
  await redis.quit();
});

function workerWarehouse(schemaStore: SchemaStore = store): Warehouse {
  const warehouse = new Warehouse({
    catalog: new DirectoryTenantCatalog(warehouses.dir),
    limits: { threads: 1, memoryLimit: '64MB' },
    maxIdle: 2,
    idleMs: 60_000,
    schemaStore,
    defaultQueryLimits: { timeoutMs: 10_000, maxRows: 100, maxBytes: 100_000 },
  });
  opened.push(warehouse);
  return warehouse;
}

it("prefetches each bucket's schema once across workers, and reads a replaced file afresh", async () => {
  const buckets = ['north', 'south', 'east'];
  const first = workerWarehouse();
  expect(await first.prefetchSchemas(buckets)).toEqual({ read: 3, shared: 0, skipped: 0 });
  // Already held: nothing to do.
  expect(await first.prefetchSchemas(buckets)).toEqual({ read: 0, shared: 0, skipped: 0 });

  const second = workerWarehouse();
  expect(await second.prefetchSchemas(buckets)).toEqual({ read: 0, shared: 3, skipped: 0 });
  const south = await second.schema('south');
  expect(south.tables[0]!.columns.find((column) => column.name === 'region')!.values).toEqual(['south-a', 'south-b']);

  await writeDuckDb(
    path.join(warehouses.dir, 'south.next'),
    "CREATE TABLE shop (id INTEGER, region VARCHAR); INSERT INTO shop VALUES (1, 'moved');",
  );
  renameSync(path.join(warehouses.dir, 'south.next'), warehouses.file('south'));
  const third = workerWarehouse();
  expect(await third.prefetchSchemas(buckets)).toEqual({ read: 1, shared: 2, skipped: 0 });
  expect((await second.schema('south')).tables[0]!.columns[1]!.values).toEqual(['moved']);
});

it('leaves a bucket another worker is reading to it, and stops when told to', async () => {
  const shared = new SchemaContexts(redis, uniquePrefix('schema-claims'));
  expect(await shared.claim('east', 'v1')).toBe(true);
  expect(await shared.claim('east', 'v1')).toBe(false);
  expect(await shared.claim('east', 'v2')).toBe(true);

  // As if another worker had claimed east: this one reads the others and leaves east to it.
  const store: SchemaStore = {
    get: (bucket, fileId) => shared.get(bucket, fileId),
    put: (bucket, fileId, schema) => shared.put(bucket, fileId, schema),
    claim: async (bucket, fileId) => bucket !== 'east' && shared.claim(bucket, fileId),
  };
  const buckets = ['north', 'south', 'east'];
  expect(await workerWarehouse(store).prefetchSchemas(buckets)).toEqual({ read: 2, shared: 0, skipped: 1 });

  const stop = new AbortController();
  stop.abort();
  expect(await workerWarehouse(shared).prefetchSchemas(buckets, stop.signal)).toEqual({ read: 0, shared: 0, skipped: 0 });
});
