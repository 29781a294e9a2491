import { ValidationFailedError } from '@flock/errors';
import { TEST_MOTHERDUCK_TOKEN, rejectionOf, useMotherDuckStandIn, useTempWarehouseDir } from '@flock/testing';
import { FanOutRunner } from './fan-out';
import { createTenantWarehouse, type RoutingWarehouse, type TenantWarehouseSettings } from './routing-warehouse';
import { HostedBucketError } from './tenant-catalog';

const warehouses = useTempWarehouseDir('routing', {
  sql: {
    local: `CREATE TABLE orders AS SELECT 1 AS id, 'local file' AS source`,
    // A stale file under a hosted bucket's name: it must never be read.
    acme: `CREATE TABLE orders AS SELECT 1 AS id, 'stale local copy' AS source`,
  },
});
let settings: TenantWarehouseSettings;

beforeAll(() => {
  settings = {
    warehouseDir: warehouses.dir,
    queryThreads: 1,
    queryMemoryLimit: '256MB',
    queryTimeoutMs: 5_000,
    maxResultRows: 100,
    maxResultBytes: 100_000,
    poolMaxIdle: 4,
    poolIdleMs: 60_000,
    motherduck: { token: TEST_MOTHERDUCK_TOKEN, databases: { acme: 'acme_prod', cloud: 'cloud' } },
  };
});

describe('createTenantWarehouse against a local DuckDB stand-in for MotherDuck', () => {
  const standIn = useMotherDuckStandIn({
    databases: {
      acme_prod: ["CREATE TABLE orders AS SELECT 99 AS id, 'motherduck' AS source"],
      cloud: ['CREATE TABLE events AS SELECT i AS id FROM range(3) t(i)'],
    },
  });
  let warehouse: RoutingWarehouse;
  beforeEach(() => {
    warehouse = createTenantWarehouse(settings, { motherDuckConnector: standIn });
  });

  afterEach(() => warehouse.close());

  it('lists the local and the hosted buckets, each once, sorted', async () => {
    await expect(warehouse.catalog.list()).resolves.toEqual(['acme', 'cloud', 'local']);
  });

  it('knows a hosted bucket exists without a local file, and refuses its local path', async () => {
    await expect(warehouse.catalog.exists('cloud')).resolves.toBe(true);
    await expect(warehouse.catalog.exists('local')).resolves.toBe(true);
    await expect(warehouse.catalog.exists('nowhere')).resolves.toBe(false);
    expect(() => warehouse.catalog.locate('acme')).toThrow(HostedBucketError);
    expect(warehouse.catalog.locate('local')).toBe(warehouses.file('local'));
    expect(() => warehouse.catalog.locate('../local')).toThrow(/Invalid bucket id/);
  });

  it("runs a hosted bucket's SQL on MotherDuck, ignoring a local file of the same name", async () => {
    await expect(warehouse.query('acme', 'SELECT id, source FROM orders')).resolves.toMatchObject({ rows: [[99, 'motherduck']] });
    await expect(warehouse.query('cloud', 'SELECT count(*)::INTEGER AS n FROM events')).resolves.toMatchObject({ rows: [[3]] });
  });

  it("runs a local bucket's SQL on its file, without touching MotherDuck", async () => {
    await expect(warehouse.query('local', 'SELECT source FROM orders')).resolves.toMatchObject({ rows: [['local file']] });
    expect((await warehouse.schema('local')).tables.map((table) => table.name)).toEqual(['orders']);
    expect(standIn.connects).toBe(0);
  });

  it("reads a hosted bucket's schema from MotherDuck", async () => {
    const { tables } = await warehouse.schema('acme');
    expect(tables).toEqual([
      expect.objectContaining({
        name: 'orders',
        rowCount: 1,
        columns: [expect.objectContaining({ name: 'id' }), expect.objectContaining({ name: 'source', values: ['motherduck'] })],
      }),
    ]);
  });

  it("holds a hosted bucket's SQL to its own database", async () => {
    await rejectionOf(warehouse.query('acme', 'SELECT count(*) FROM cloud.main.events'), ValidationFailedError);
    expect(standIn.connects).toBe(0);
  });

  it('gives the fan-out a catalog that refuses hosted buckets, so it cannot attach their local files', async () => {
    const fanOut = new FanOutRunner(warehouse.catalog, { threads: 1, memoryLimit: '256MB' }, { spares: 0 });
    const query = {
      sql: 'SELECT source FROM orders',
      deadline: Date.now() + 5_000,
      queryTimeoutMs: 5_000,
      maxRows: 100,
      maxBytes: 100_000,
    };
    try {
      await expect(fanOut.run({ ...query, buckets: ['local'] })).resolves.toMatchObject([
        { bucket: 'local', status: 'ok', rows: [['local file']] },
      ]);
      await expect(fanOut.run({ ...query, buckets: ['local', 'acme'] })).rejects.toThrow(HostedBucketError);
    } finally {
      fanOut.close();
    }
  });
});

describe('createTenantWarehouse without MotherDuck', () => {
  it('serves every bucket from its local file', async () => {
    const { motherduck: _none, ...localOnly } = settings;
    const warehouse = createTenantWarehouse(localOnly);
    try {
      await expect(warehouse.catalog.list()).resolves.toEqual(['acme', 'local']);
      expect(warehouse.isHosted('acme')).toBe(false);
      await expect(warehouse.query('acme', 'SELECT source FROM orders')).resolves.toMatchObject({ rows: [['stale local copy']] });
    } finally {
      warehouse.close();
    }
  });
});
