import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ExecutionFailedError, QueryTimeoutError, ValidationFailedError } from '@flock/errors';
import { rejectionOf, useTempWarehouseDir, waitFor, writeDuckDb } from '@flock/testing';
import { DirectoryTenantCatalog } from './tenant-catalog';
import { sandboxSettings } from './instance-pool';
import { QueryOverrunError, Warehouse, type QueryLimits, type WarehouseOptions } from './warehouse';

const limits: QueryLimits = { timeoutMs: 10_000, maxRows: 10_000, maxBytes: 400_000 };
const warehouses = useTempWarehouseDir('warehouse', {
  sql: {
    alpha: `CREATE TABLE team (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL, tier VARCHAR NOT NULL);
     CREATE TABLE score (id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES team(id), points DECIMAL(10,2), scored_at TIMESTAMP, won BOOLEAN);
     INSERT INTO team SELECT i, 'team ' || i, CASE WHEN i % 3 = 0 THEN 'gold' ELSE 'silver' END FROM range(1, 41) t(i);
     INSERT INTO score SELECT i, 1 + i % 40, i * 1.25, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i) HOUR, i % 2 = 0 FROM range(1, 201) t(i);`,
    beta: `CREATE TABLE secret (v VARCHAR); INSERT INTO secret VALUES ('beta-only');`,
  },
});
let warehouse: Warehouse;

beforeAll(() => {
  warehouse = warehouseWith({});
});

/** A warehouse over the test's folder, with the suite's limits unless `options` says otherwise. */
function warehouseWith(options: Partial<WarehouseOptions>): Warehouse {
  return new Warehouse({
    catalog: new DirectoryTenantCatalog(warehouses.dir),
    limits: { threads: 1, memoryLimit: '256MB' },
    maxIdle: 4,
    idleMs: 60_000,
    linkRoot: path.join(warehouses.dir, '.flock-sandbox'),
    defaultQueryLimits: limits,
    ...options,
  });
}

afterAll(() => warehouse.close());

/** Both ways a worker gets a sandbox: the default, and what it falls back to where no link can be made. */
const MODES: [string, Partial<WarehouseOptions>][] = [
  ['tenants attached to reused instances', {}],
  ['an instance per bucket', { linkRoot: undefined }],
];

describe('result encoding', () => {
  it('returns JSON-native values: exact integers as numbers, decimals as numbers, ISO temporal values', async () => {
    const result = await warehouse.query(
      'alpha',
      `SELECT count(*) AS n, sum(points) AS total, DATE '2024-02-03' AS d,
              TIMESTAMP '2024-02-03 04:05:06.5' AS ts, NULL AS nothing, [1, 2] AS list,
              {'a': 1, 'b': 'x'} AS struct, 9007199254740993::BIGINT AS huge, 0.5::DOUBLE AS half, true AS yes
         FROM score`,
    );
    expect(result.columns).toEqual(['n', 'total', 'd', 'ts', 'nothing', 'list', 'struct', 'huge', 'half', 'yes']);
    expect(result.rows).toEqual([
      [200, 25125, '2024-02-03', '2024-02-03T04:05:06.5', null, [1, 2], { a: 1, b: 'x' }, '9007199254740993', 0.5, true],
    ]);
    expect(result.truncated).toBe(false);
    expect(result.totalRows).toBe(1);
  });
});

describe.each(MODES)('sandbox, %s', (_mode, modeOptions) => {
  let warehouse: Warehouse;
  beforeAll(() => {
    warehouse = warehouseWith(modeOptions);
  });
  afterAll(() => warehouse.close());

  it.each([
    ['the settings', 'SELECT name, value FROM duckdb_settings()', 'duckdb_settings() is not allowed'],
    ['the settings view', "SELECT setting FROM pg_settings WHERE name = 'temp_directory'", "'pg_settings' is not allowed"],
    ['a setting', "SELECT current_setting('temp_directory') AS dir", 'current_setting() is not allowed'],
    ["the database file's path", 'SELECT path FROM duckdb_databases()', 'duckdb_databases() is not allowed'],
    ['the databases view', 'SELECT path FROM duckdb_databases', "'duckdb_databases' is not allowed"],
    ['an environment variable', "SELECT getenv('HOME') AS home", 'getenv() is not allowed'],
    ['spill files', 'SELECT * FROM duckdb_temporary_files()', 'duckdb_temporary_files() is not allowed'],
    ['paths, through SQL in a string', "SELECT * FROM query('SELECT path FROM duckdb_databases()')", 'query() is not allowed'],
    ['the settings, through a table named in a string', "SELECT * FROM query_table('pg_settings')", 'query_table() is not allowed'],
    [
      'paths, through serialized SQL',
      "SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT path FROM duckdb_databases()'))",
      'json_execute_serialized_sql() is not allowed',
    ],
  ])("refuses a read of the server's %s (validation_failed)", async (_label, sql, reason) => {
    const error = await rejectionOf(warehouse.query('alpha', sql), ValidationFailedError);
    expect(error.message).toBe(`The SQL may not read the server's settings or files: ${reason}.`);
  });

  it("still reads DuckDB's catalog of the tenant's own tables", async () => {
    const result = await warehouse.query(
      'alpha',
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1",
    );
    expect(result.rows).toEqual([['score'], ['team']]);
  });

  it.each([
    ['ATTACH', "ATTACH '/tmp/other.duckdb' AS other"],
    ['COPY', "COPY team TO '/tmp/out.csv'"],
    ['a settings change', 'SET threads = 8'],
    ['multiple statements', 'SELECT 1; SELECT 2'],
    ['a write', 'DELETE FROM team'],
    ['DDL', 'CREATE TABLE x AS SELECT 1'],
    ['INSTALL', 'INSTALL httpfs'],
    ['LOAD', 'LOAD json'],
    ['PRAGMA', 'PRAGMA database_list'],
    ['an empty string', '   '],
  ])('refuses %s before it runs (validation_failed)', async (_label, sql) => {
    await expect(warehouse.query('alpha', sql)).rejects.toBeInstanceOf(ValidationFailedError);
  });

  it('refuses a SELECT that reads a file (external access disabled)', async () => {
    const failure = warehouse.query('alpha', "SELECT * FROM read_csv('/etc/passwd')");
    await expect(failure).rejects.toBeInstanceOf(ExecutionFailedError);
    await expect(failure).rejects.toThrow(/disabled by configuration/);
  });

  it('refuses to read another bucket even by path', async () => {
    await expect(warehouse.query('alpha', `SELECT * FROM '${warehouses.file('beta')}'`)).rejects.toBeInstanceOf(ExecutionFailedError);
    await expect(warehouse.query('alpha', 'SELECT * FROM beta.main.secret')).rejects.toThrow(/beta/);
    await expect(warehouse.query('alpha', 'SELECT * FROM secret')).rejects.toBeInstanceOf(ExecutionFailedError);
  });

  it('opens databases read-only with locked configuration, even for SQL that skipped validation', async () => {
    const instance = await DuckDBInstance.create(warehouses.file('alpha'), sandboxSettings({ threads: 1, memoryLimit: '128MB' }, ''));
    const connection = await instance.connect();
    try {
      await expect(connection.run('DELETE FROM team')).rejects.toThrow(/read-only/i);
      await expect(connection.run("SET memory_limit = '10GB'")).rejects.toThrow(/locked/);
      await expect(connection.run("ATTACH ':memory:' AS scratch")).rejects.toThrow();
      const reader = await connection.runAndReadAll("SELECT current_setting('threads'), current_setting('enable_external_access')");
      expect(reader.getRowsJS()).toEqual([[1n, false]]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('interrupts a runaway query at the time limit (query_timeout)', async () => {
    // A cross join of 10^18 rows ends only by being interrupted.
    const failure = warehouse.query('alpha', 'SELECT count(*) FROM range(1000000000) a, range(1000000000) b', { timeoutMs: 300 });
    await expect(failure).rejects.toBeInstanceOf(QueryTimeoutError);
    await expect(failure).rejects.toThrow(/longer than 0.3 s/);
    // The instance is still usable afterwards.
    await expect(warehouse.query('alpha', 'SELECT 1 AS one')).resolves.toMatchObject({ rows: [[1]] });
  });

  it("stops a query when its caller's signal aborts, with the signal's reason, and starts none once aborted", async () => {
    class Reclaimed extends Error {}
    const cancel = new AbortController();
    const failure = warehouse.query(
      'alpha',
      'SELECT count(*) FROM range(1000000000) a, range(1000000000) b',
      {},
      { cancel: cancel.signal },
    );
    setTimeout(() => cancel.abort(new Reclaimed('taken back')), 200);
    await expect(failure).rejects.toBeInstanceOf(Reclaimed);
    await expect(warehouse.query('alpha', 'SELECT 1 AS one', {}, { cancel: cancel.signal })).rejects.toBeInstanceOf(Reclaimed);
    await expect(warehouse.findValues('alpha', ['team 1'], { cancel: cancel.signal })).rejects.toBeInstanceOf(Reclaimed);
    await expect(warehouse.query('alpha', 'SELECT 1 AS one')).resolves.toMatchObject({ rows: [[1]] });
  });

  it('reports a bucket without a warehouse as execution_failed', async () => {
    await expect(warehouse.query('gamma', 'SELECT 1')).rejects.toThrow("The warehouse for bucket 'gamma' does not exist.");
  });

  it('rejects invalid bucket ids before touching the file system', () => {
    const catalog = new DirectoryTenantCatalog(warehouses.dir);
    for (const bad of ['../alpha', '..', 'a/b', 'Alpha', '', '%2e%2e', '-x'])
      expect(() => catalog.locate(bad)).toThrow(/Invalid bucket id/);
  });
});

describe('caps', () => {
  it('keeps at most maxRows rows and still counts them all', async () => {
    const result = await warehouse.query('alpha', 'SELECT id FROM score ORDER BY id', { maxRows: 5 });
    expect(result.rows).toEqual([[1], [2], [3], [4], [5]]);
    expect(result.totalRows).toBe(200);
    expect(result.truncated).toBe(true);
  });

  it('keeps rows only while their JSON fits maxBytes', async () => {
    const result = await warehouse.query('alpha', "SELECT repeat('x', 100) AS pad FROM range(50)", { maxBytes: 1024 });
    expect(result.rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(result.rows).length).toBeLessThanOrEqual(1024);
    expect(result.totalRows).toBe(50);
    expect(result.truncated).toBe(true);
  });

  it('answers a query that ignores the interrupt on time, and holds its instance until DuckDB lets go', async () => {
    const strict = warehouseWith({ maxIdle: 1, overrunGraceMs: 20 });
    try {
      // repeat() allocates its string in one go and does not look at the interrupt meanwhile.
      const slow = strict.query('alpha', "SELECT length(repeat('x', 400000000)) AS n", { timeoutMs: 100 });
      const error = await rejectionOf(slow, QueryOverrunError);
      expect(error).toBeInstanceOf(QueryTimeoutError);
      expect(error.message).toMatch(/^The query ran longer than 0\.1 s and was stopped/);
      let settled = false;
      void error.settled.then(() => (settled = true));
      await Promise.resolve();
      expect(settled).toBe(false);
      await error.settled;
      expect((await strict.query('alpha', 'SELECT 42 AS n')).rows).toEqual([[42]]);
    } finally {
      strict.close();
    }
  });

  it('declares a query that ignores the interrupt for long stuck, and lets its job go without waiting for DuckDB', async () => {
    const stuck: string[] = [];
    const strict = warehouseWith({ maxIdle: 1, overrunGraceMs: 20, stuckQuery: { afterMs: 50, onStuck: (bucket) => stuck.push(bucket) } });
    try {
      // One levenshtein call over two 20,000-character strings runs most of a second and never looks at the interrupt.
      const slow = strict.query('alpha', "SELECT levenshtein(repeat('a', 20000), repeat('b', 20000)) AS d", { timeoutMs: 100 });
      const error = await rejectionOf(slow, QueryOverrunError);
      expect(stuck).toEqual([]);
      await error.settled;
      expect(stuck).toEqual(['alpha']);
      // The stuck instance is not handed out again: the next query gets another one.
      expect((await strict.query('alpha', 'SELECT 42 AS n')).rows).toEqual([[42]]);
    } finally {
      strict.close();
    }
  });

  it('answers a query stopped while its capped rows stream as a timeout, never with a false total', async () => {
    // The caps fill at once; the interrupt then lands while later chunks are only counted.
    const slow = warehouse.query('alpha', 'SELECT x FROM range(5000000000) t(x)', { maxRows: 10, timeoutMs: 300 });
    await expect(slow).rejects.toThrow(QueryTimeoutError);
  });
});

describe('spill', () => {
  it('spills only into its own folder, never beside the warehouse, and fails past the spill cap', async () => {
    const spillRoot = mkdtempSync(path.join(os.tmpdir(), 'flock-spill-test-'));
    const small = warehouseWith({
      limits: { threads: 1, memoryLimit: '32MB', spillRoot, maxSpill: '16MB' },
      maxIdle: 1,
      defaultQueryLimits: { ...limits, timeoutMs: 30_000 },
    });
    try {
      // A full sort of 20 million rows cannot fit 32 MB, so it spills, and soon passes 16 MB.
      const sort = small.query('alpha', 'SELECT max(r) FROM (SELECT row_number() OVER (ORDER BY hash(x)) AS r FROM range(20000000) t(x))');
      const error = await rejectionOf(sort, ExecutionFailedError);
      expect(error.message).toBe(
        'The query needed more than 16 MB of temporary disk and was stopped. Ask a narrower question or filter the data further.',
      );
      expect(readdirSync(warehouses.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    } finally {
      small.close();
    }
    // Each closed instance takes its spill folder with it.
    await waitFor(async () => (readdirSync(spillRoot).length === 0 ? true : undefined), {
      timeoutMs: 5_000,
      what: 'spill folders removed',
    });
    rmSync(spillRoot, { recursive: true, force: true });
  });
});

describe.each(MODES)('instance reuse, %s', (_mode, modeOptions) => {
  let warehouse: Warehouse;
  beforeAll(() => {
    warehouse = warehouseWith(modeOptions);
  });
  afterAll(() => warehouse.close());

  it('serves a replaced warehouse file from a fresh instance, never a stale one', async () => {
    const bucket = 'delta';
    rmSync(warehouses.file('delta'), { force: true });
    await writeDuckDb(warehouses.file('delta'), "CREATE TABLE t (v VARCHAR); INSERT INTO t VALUES ('old');");
    expect((await warehouse.query(bucket, 'SELECT v FROM t')).rows).toEqual([['old']]);
    await writeDuckDb(path.join(warehouses.dir, 'delta.next'), "CREATE TABLE t (v VARCHAR); INSERT INTO t VALUES ('new');");
    renameSync(path.join(warehouses.dir, 'delta.next'), warehouses.file('delta'));
    expect((await warehouse.query(bucket, 'SELECT v FROM t')).rows).toEqual([['new']]);
  });

  it('keeps an instance for its bucket after a quick query, and not after a long one', async () => {
    /** Instances made and files attached so far: what a query that reuses an idle instance adds nothing to. */
    const opened = (w: Warehouse) => w.poolStats().instances + w.poolStats().attaches;
    // The release follows the answer by a few microtasks.
    const settle = () => new Promise((resolve) => setTimeout(resolve, 50));
    // With a limit below any query's time, every query counts as long.
    for (const [keepIdleWithinMs, reopens] of [
      [60_000, 0],
      [-1, 1],
    ] as const) {
      const w = warehouseWith({ ...modeOptions, keepIdleWithinMs });
      try {
        await w.query('alpha', 'SELECT count(*) AS n FROM team');
        await settle();
        const before = opened(w);
        await w.query('alpha', 'SELECT count(*) AS n FROM score');
        expect(opened(w) - before).toBe(reopens);
      } finally {
        w.close();
      }
    }
  });

  it("keeps a query's plan for its next run only when asked to, and never past a failure", async () => {
    const w = warehouseWith({ ...modeOptions, keepIdleWithinMs: 60_000 });
    const reused = () => w.poolStats().plansReused;
    const sql = 'SELECT count(*) AS n FROM score';
    try {
      await w.query('alpha', sql);
      await w.query('alpha', sql);
      expect(reused()).toBe(0);
      await w.query('alpha', sql, {}, { keepPlan: true });
      expect((await w.query('alpha', sql, {}, { keepPlan: true })).rows).toEqual([[200]]);
      expect(reused()).toBe(1);
      // A failed query drops its connection, and the plans kept on it.
      await expect(w.query('alpha', "SELECT error('stop') AS x FROM team", {}, { keepPlan: true })).rejects.toThrow(/stop/);
      await w.query('alpha', sql, {}, { keepPlan: true });
      expect(reused()).toBe(1);
    } finally {
      w.close();
    }
  });

  it('runs concurrent queries on one bucket, each on its own leased instance', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => warehouse.query('alpha', `SELECT ${i} AS i, count(*) AS n FROM team`)),
    );
    expect(results.map((r) => r.rows[0])).toEqual(Array.from({ length: 6 }, (_, i) => [i, 40]));
  });
});

describe('schema', () => {
  it('reads tables, row counts, keys and low-cardinality values from the warehouse', async () => {
    const schema = await warehouse.schema('alpha');
    const team = schema.tables.find((t) => t.name === 'team')!;
    const score = schema.tables.find((t) => t.name === 'score')!;
    expect(team.rowCount).toBe(40);
    expect(team.primaryKey).toEqual(['id']);
    expect(team.columns.map((c) => [c.name, c.kind])).toEqual([
      ['id', 'integer'],
      ['name', 'text'],
      ['tier', 'text'],
    ]);
    expect(team.columns.find((c) => c.name === 'tier')!.values).toEqual(['silver', 'gold']);
    // Mostly-unique text is an identifier, not a category; its values are kept for lookups only.
    const names = team.columns.find((c) => c.name === 'name')!;
    expect(names.values).toBeUndefined();
    expect(names.lookup).toHaveLength(40);
    expect(team.columns.find((c) => c.name === 'tier')!.lookup).toBeUndefined();
    expect(score.foreignKeys).toEqual([{ columns: ['team_id'], referencedTable: 'team', referencedColumns: ['id'] }]);
    expect(score.columns.map((c) => c.kind)).toEqual(['integer', 'integer', 'decimal', 'timestamp', 'boolean']);
    expect(await warehouse.schema('alpha')).toBe(schema);
  });

  it('reads a schema once for concurrent callers, and keeps only as many buckets as it is allowed', async () => {
    const small = warehouseWith({ schemaCacheSize: 1 });
    try {
      const [first, second] = await Promise.all([small.schema('alpha'), small.schema('alpha')]);
      expect(second).toBe(first);
      expect(await small.schema('alpha')).toBe(first);
      await small.schema('beta');
      // Evicted by beta, so read afresh: equal, but not the cached object.
      const reread = await small.schema('alpha');
      expect(reread).not.toBe(first);
      expect(reread).toEqual(first);
    } finally {
      small.close();
    }
  });

  it('keeps no lookup values for a column with more distinct values than the cap, or for prose', async () => {
    await writeDuckDb(
      warehouses.file('wide'),
      "CREATE TABLE t AS SELECT 'name ' || i AS label, repeat('x', 100) || i AS note FROM range(6000) r(i);",
    );
    const [t] = (await warehouse.schema('wide')).tables;
    expect(t!.columns.find((c) => c.name === 'label')!.lookup).toBeUndefined();
    expect(t!.columns.find((c) => c.name === 'note')!.lookup).toBeUndefined();
  });

  it('finds a typed name in a column too varied to list, with a bounded lookup', async () => {
    await writeDuckDb(
      warehouses.file('crowd'),
      `CREATE TABLE person AS SELECT i AS person_id, 'Name ' || i AS full_name, i % 90 AS age FROM range(6000) r(i);
       INSERT INTO person VALUES (6000, 'Zed Quux', 41);`,
    );
    const schema = await warehouse.schema('crowd');
    const names = schema.tables[0]!.columns.find((c) => c.name === 'full_name')!;
    expect(names.lookup).toBeUndefined();
    expect(names.lookupOverflow).toBe(true);
    expect(await warehouse.findValues('crowd', ['zed quux', "O'Brien"])).toEqual([
      { table: 'person', column: 'full_name', value: 'Zed Quux' },
    ]);
    expect(await warehouse.findValues('crowd', [])).toEqual([]);
  });

  it('lists the values of a category column even in a tiny table', async () => {
    await writeDuckDb(
      warehouses.file('tiny'),
      "CREATE TABLE event (id INTEGER, kind VARCHAR); INSERT INTO event VALUES (1, 'talk'), (2, 'talk'), (3, 'social'), (4, 'meetup'), (5, 'trip');",
    );
    const [event] = (await warehouse.schema('tiny')).tables;
    expect(event!.columns.find((c) => c.name === 'kind')!.values).toEqual(['talk', 'meetup', 'social', 'trip']);
  });
});

describe('schema prefetch', () => {
  it("reads each bucket's schema once ahead of its asks, a replaced file afresh, and stops when told to", async () => {
    const ahead = warehouseWith({});
    try {
      const heard: string[] = [];
      expect(await ahead.prefetchSchemas(['alpha', 'beta', 'missing'], undefined, (bucket) => heard.push(bucket))).toEqual({
        read: 2,
        failed: 1,
      });
      // Told of each schema read, so the engine can build its indexes ahead too.
      expect(heard).toEqual(['alpha', 'beta']);
      const alpha = await ahead.schema('alpha');
      // Already held: nothing is read again, and asks get the same schema.
      expect(await ahead.prefetchSchemas(['alpha', 'beta'])).toEqual({ read: 0, failed: 0 });
      expect(await ahead.schema('alpha')).toBe(alpha);

      rmSync(warehouses.file('epsilon'), { force: true });
      await writeDuckDb(warehouses.file('epsilon'), "CREATE TABLE t (v VARCHAR); INSERT INTO t VALUES ('old');");
      expect(await ahead.prefetchSchemas(['epsilon'])).toEqual({ read: 1, failed: 0 });
      await writeDuckDb(path.join(warehouses.dir, 'epsilon.next'), "CREATE TABLE t (v VARCHAR); INSERT INTO t VALUES ('new');");
      renameSync(path.join(warehouses.dir, 'epsilon.next'), warehouses.file('epsilon'));
      expect(await ahead.prefetchSchemas(['alpha', 'epsilon'])).toEqual({ read: 1, failed: 0 });
      expect((await ahead.schema('epsilon')).tables[0]!.columns[0]!.values).toEqual(['new']);

      const stop = new AbortController();
      stop.abort();
      const stopped = warehouseWith({});
      expect(await stopped.prefetchSchemas(['alpha'], stop.signal)).toEqual({ read: 0, failed: 0 });
      stopped.close();
    } finally {
      ahead.close();
    }
  });
});
