import { ExecutionFailedError, JobFailure, QueryTimeoutError, ValidationFailedError } from '@flock/errors';
import { TEST_MOTHERDUCK_TOKEN, rejectionOf, unreachableMotherDuckStandIn, useMotherDuckStandIn, withFrozenDate } from '@flock/testing';
import { MotherDuckWarehouse } from './motherduck-warehouse';

const limits = { timeoutMs: 5_000, maxRows: 100, maxBytes: 100_000 };

const failure = (promise: Promise<unknown>) => rejectionOf(promise, JobFailure);

describe('MotherDuckWarehouse against a local DuckDB stand-in for MotherDuck', () => {
  const standIn = useMotherDuckStandIn({
    databases: {
      sales: ['CREATE TABLE orders AS SELECT i AS id, i * 10 AS amount FROM range(1, 6) t(i)'],
      acme_prod: ["CREATE TABLE orders AS SELECT 99 AS id, 'acme' AS amount"],
      // Another tenant's database, visible on the same connection as a MotherDuck token's would be.
      rival: ["CREATE TABLE secrets AS SELECT 'rival-only' AS secret"],
    },
  });
  let warehouse: MotherDuckWarehouse;

  /** The table guard's refusal: a validation failure saying why, before MotherDuck is reached. */
  async function expectGuardRefusal(sql: string, reason: string): Promise<void> {
    const error = await failure(warehouse.query('sales', sql));
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect(error.message).toBe(`SQL run on MotherDuck may read only the database's tables: ${reason}.`);
    expect(standIn.connects).toBe(0);
  }
  beforeEach(() => {
    warehouse = new MotherDuckWarehouse({ connector: standIn, databases: { acme: 'acme_prod' }, defaultQueryLimits: limits });
  });

  afterEach(() => warehouse.close());

  it("runs a SELECT in the bucket's own database", async () => {
    await expect(warehouse.query('sales', 'SELECT id, amount FROM orders ORDER BY id LIMIT 2')).resolves.toEqual({
      columns: ['id', 'amount'],
      rows: [
        [1, 10],
        [2, 20],
      ],
      totalRows: 2,
      truncated: false,
    });
  });

  it('runs a mapped bucket in its mapped database', async () => {
    const result = await warehouse.query('acme', 'SELECT * FROM orders');
    expect(result.rows).toEqual([[99, 'acme']]);
  });

  it('applies the row and byte caps', async () => {
    const byRows = await warehouse.query('sales', 'SELECT id FROM orders ORDER BY id', { maxRows: 2 });
    expect(byRows).toMatchObject({ rows: [[1], [2]], totalRows: 5, truncated: true });
    // Rows are [n] plus a comma: 2 bytes of brackets, then 4 per row fit in 10 bytes twice.
    const byBytes = await warehouse.query('sales', 'SELECT id FROM orders ORDER BY id', { maxBytes: 10 });
    expect(byBytes).toMatchObject({ rows: [[1], [2]], totalRows: 5, truncated: true });
  });

  it.each([
    ['a write', 'DELETE FROM orders'],
    ['two statements', 'SELECT 1; SELECT 2'],
    ['an ATTACH', "ATTACH 'md:other' AS other"],
  ])('refuses %s before connecting to MotherDuck', async (_label, sql) => {
    const error = await failure(warehouse.query('sales', sql));
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect(standIn.connects).toBe(0);
  });

  it.each([
    [
      'a file-reading table function',
      "SELECT content FROM read_text('/proc/self/environ')",
      'the table function read_text() is not allowed',
    ],
    [
      'one nested in a subquery',
      "SELECT (SELECT count(*) FROM read_csv('/etc/passwd')) AS n",
      'the table function read_csv() is not allowed',
    ],
    ['a catalog listing', 'SELECT * FROM duckdb_settings()', 'the table function duckdb_settings() is not allowed'],
    ['a path in FROM', "SELECT * FROM '/srv/data/other.csv'", "'/srv/data/other.csv' is a file or URL, not a table"],
    ['a URL in FROM', "SELECT * FROM 'https://example.com/x.parquet'", "'https://example.com/x.parquet' is a file or URL, not a table"],
    ['a setting read', "SELECT current_setting('motherduck_token') AS t", 'current_setting() is not allowed'],
  ])('refuses %s, which MotherDuck would run on the worker', async (_label, sql, reason) => {
    await expectGuardRefusal(sql, reason);
  });

  it('allows pure table functions', async () => {
    const result = await warehouse.query('sales', 'SELECT count(*)::INTEGER AS n FROM range(3) r JOIN orders o ON o.id = r.range + 1');
    expect(result.rows).toEqual([[3]]);
  });

  it('fails execution, naming the database, when it does not exist', async () => {
    const error = await failure(warehouse.query('nowhere', 'SELECT 1 AS one'));
    expect(error).toBeInstanceOf(ExecutionFailedError);
    expect(error.message).toMatch(/^The MotherDuck database 'nowhere' could not be opened: Catalog Error: .*nowhere/);
  });

  it('fails execution with the database message when the query fails', async () => {
    const error = await failure(warehouse.query('sales', 'SELECT * FROM customers'));
    expect(error).toBeInstanceOf(ExecutionFailedError);
    expect(error.message).toMatch(/^The query failed: .*Catalog Error: Table with name customers does not exist/);
  });

  it('redacts the token from a failing query message', async () => {
    const error = await failure(warehouse.query('sales', `SELECT error('denied for ${TEST_MOTHERDUCK_TOKEN}') AS x`));
    expect(error.code).toBe('execution_failed');
    expect(error.message).toMatch(/^The query failed: .*denied for \[redacted\]$/);
    expect(error.message).not.toContain(TEST_MOTHERDUCK_TOKEN);
  });

  it('interrupts a query at its time limit', async () => {
    const error = await failure(warehouse.query('sales', 'SELECT max(hash(i)) AS h FROM range(1000000000000) t(i)', { timeoutMs: 300 }));
    // The query's own timer or, on a loaded machine, the session's grace timer may stop
    // it first; either way the asker gets query_timeout naming their limit. That the
    // query really stopped shows after the test: its connection was closed.
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect(error.message).toMatch(/ 0\.3 s and the query was stopped| longer than 0\.3 s and was stopped/);
  });

  it('fails execution without the token when MotherDuck cannot be reached', async () => {
    const offline = new MotherDuckWarehouse({
      connector: unreachableMotherDuckStandIn(`IO Error: bad token ${TEST_MOTHERDUCK_TOKEN}`),
      defaultQueryLimits: limits,
    });
    try {
      const error = await failure(offline.query('sales', 'SELECT 1 AS one'));
      expect(error).toBeInstanceOf(ExecutionFailedError);
      expect(error.message).toBe('MotherDuck could not be reached: IO Error: bad token [redacted]');
    } finally {
      offline.close();
    }
  });

  describe("keeps SQL to the bucket's own database", () => {
    it('has something to keep out: without the guard, the connection reads another database', async () => {
      const connection = await standIn.connect();
      try {
        await connection.run('USE sales');
        expect((await connection.runAndReadAll('SELECT secret FROM rival.secrets')).getRowsJS()).toEqual([['rival-only']]);
        expect(
          (await connection.runAndReadAll("SELECT count(*)::INTEGER FROM duckdb_databases WHERE database_name = 'rival'")).getRowsJS(),
        ).toEqual([[1]]);
      } finally {
        connection.closeSync();
      }
    });

    it.each([
      ['a three-part name', 'SELECT * FROM rival.main.secrets', "'rival.main.secrets' is in another database"],
      [
        'a two-part name, which DuckDB reads as database.table',
        'SELECT * FROM rival.secrets',
        "'rival.secrets' may be outside this database",
      ],
      ['quoted identifiers', 'SELECT * FROM "rival"."main"."secrets"', "'rival.main.secrets' is in another database"],
      ['another case', 'SELECT * FROM RIVAL.Secrets', "'RIVAL.Secrets' may be outside this database"],
      ["another bucket's mapped database", 'SELECT * FROM acme_prod.main.orders', "'acme_prod.main.orders' is in another database"],
      ['a name inside a CTE', 'WITH s AS (SELECT * FROM rival.secrets) SELECT * FROM s', "'rival.secrets' may be outside this database"],
      [
        'a name in a scalar subquery',
        'SELECT (SELECT max(secret) FROM rival.main.secrets) AS s',
        "'rival.main.secrets' is in another database",
      ],
      [
        'a name in a join',
        'SELECT o.id, s.secret FROM orders o JOIN rival.secrets s ON true',
        "'rival.secrets' may be outside this database",
      ],
      [
        'a name in EXISTS',
        'SELECT id FROM orders WHERE EXISTS (SELECT 1 FROM rival.main.secrets)',
        "'rival.main.secrets' is in another database",
      ],
      [
        'a name in a UNION',
        'SELECT amount::VARCHAR FROM orders UNION ALL SELECT secret FROM rival.secrets',
        "'rival.secrets' may be outside this database",
      ],
      ['a name in SUMMARIZE', 'SUMMARIZE rival.main.secrets', "'rival.main.secrets' is in another database"],
      ['the temp catalog', 'SELECT * FROM temp.main.t', "'temp.main.t' is in another database"],
      [
        'information_schema, which lists every database',
        'SELECT table_catalog FROM information_schema.tables',
        "'information_schema.tables' may be outside this database",
      ],
      [
        'a catalog view',
        'SELECT database_name FROM duckdb_databases',
        "'duckdb_databases' is a DuckDB catalog view, which lists other databases",
      ],
      [
        'a catalog view through main.',
        'SELECT * FROM main.duckdb_tables',
        "'duckdb_tables' is a DuckDB catalog view, which lists other databases",
      ],
      [
        'the settings view',
        "SELECT setting FROM pg_settings WHERE name = 'motherduck_token'",
        "'pg_settings' is a DuckDB catalog view, which lists other databases",
      ],
      ['SHOW DATABASES', 'SHOW DATABASES', 'SHOW lists more than this database'],
      ['SHOW ALL TABLES', 'SHOW ALL TABLES', 'SHOW lists more than this database'],
    ])('refuses %s before connecting', async (_label, sql, reason) => {
      await expectGuardRefusal(sql, reason);
    });

    it.each([
      ['an unqualified table', 'SELECT count(*)::INTEGER AS n FROM orders', 5],
      ['main.', 'SELECT count(*)::INTEGER AS n FROM main.orders', 5],
      ['its own database, three-part', 'SELECT count(*)::INTEGER AS n FROM sales.main.orders', 5],
      ['its own database, two-part', 'SELECT count(*)::INTEGER AS n FROM sales.orders', 5],
      ['its own database quoted and in another case', 'SELECT count(*)::INTEGER AS n FROM "SALES"."main"."orders"', 5],
      ['a CTE', 'WITH big AS (SELECT * FROM orders WHERE amount > 30) SELECT count(*)::INTEGER AS n FROM big', 2],
      ['a CTE named like another database', 'WITH rival AS (SELECT 7 AS n) SELECT n FROM rival', 7],
      ['a join and a subquery', 'SELECT count(*)::INTEGER AS n FROM orders a JOIN (SELECT id FROM main.orders) b USING (id)', 5],
    ])('allows %s', async (_label, sql, n) => {
      await expect(warehouse.query('sales', sql)).resolves.toMatchObject({ rows: [[n]] });
    });

    it('allows a mapped bucket to name its own database, not its bucket id', async () => {
      await expect(warehouse.query('acme', 'SELECT id FROM acme_prod.main.orders')).resolves.toMatchObject({ rows: [[99]] });
      const error = await failure(warehouse.query('acme', 'SELECT id FROM sales.orders'));
      expect(error.message).toMatch(/'sales\.orders' may be outside this database/);
    });
  });

  describe('schema', () => {
    it("reads the bucket's own database only, though the connection sees others", async () => {
      await expect(warehouse.schema('sales')).resolves.toEqual({
        tables: [
          {
            name: 'orders',
            rowCount: 5,
            columns: [
              { name: 'id', type: 'BIGINT', kind: 'integer', nullable: true },
              { name: 'amount', type: 'BIGINT', kind: 'integer', nullable: true },
            ],
            primaryKey: [],
            foreignKeys: [],
          },
        ],
      });
    });

    it('reads a mapped bucket from its mapped database, values included', async () => {
      const { tables } = await warehouse.schema('acme');
      expect(tables).toEqual([
        expect.objectContaining({
          name: 'orders',
          rowCount: 1,
          columns: [
            { name: 'id', type: 'INTEGER', kind: 'integer', nullable: true },
            { name: 'amount', type: 'VARCHAR', kind: 'text', nullable: true, values: ['acme'] },
          ],
        }),
      ]);
    });

    it('shares one read between concurrent callers and reuses it until the TTL passes', async () => {
      // The clock moves only when the test moves it, so a slow read cannot outlast the TTL.
      await withFrozenDate(async (clock) => {
        const shortLived = new MotherDuckWarehouse({ connector: standIn, defaultQueryLimits: limits, schemaTtlMs: 200 });
        const [first, second] = await Promise.all([shortLived.schema('sales'), shortLived.schema('sales')]);
        expect(second).toBe(first);
        expect(standIn.connects).toBe(1);
        clock.advance(199);
        expect(await shortLived.schema('sales')).toBe(first);
        expect(standIn.connects).toBe(1);
        clock.advance(2); // past the TTL: an entry is stale once older than it
        expect(await shortLived.schema('sales')).toEqual(first);
        expect(standIn.connects).toBe(2);
      });
    });

    it('fails execution, naming the database, when it does not exist, and does not keep the failure', async () => {
      const error = await failure(warehouse.schema('nowhere'));
      expect(error).toBeInstanceOf(ExecutionFailedError);
      expect(error.message).toMatch(/^The MotherDuck database 'nowhere' could not be opened: Catalog Error: .*nowhere/);
      await failure(warehouse.schema('nowhere'));
      expect(standIn.connects).toBe(2);
    });
  });
});
