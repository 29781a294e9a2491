import type { DuckDBConnection } from '@duckdb/node-api';
import { ExecutionFailedError, JobFailure, QueryTimeoutError, ValidationFailedError } from '@flock/errors';
import type { MotherDuckConnector } from '@flock/sql';
import { MotherDuckStandIn, TEST_MOTHERDUCK_TOKEN } from '@flock/testing';
import { MotherDuckWarehouse } from './motherduck-warehouse';

const limits = { timeoutMs: 5_000, maxRows: 100, maxBytes: 100_000 };

async function failure(promise: Promise<unknown>): Promise<JobFailure> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(JobFailure);
  return error as JobFailure;
}

describe('MotherDuckWarehouse against a local DuckDB stand-in for MotherDuck', () => {
  let standIn: MotherDuckStandIn;
  let warehouse: MotherDuckWarehouse;

  beforeEach(() => {
    standIn = new MotherDuckStandIn({
      databases: {
        sales: ['CREATE TABLE orders AS SELECT i AS id, i * 10 AS amount FROM range(1, 6) t(i)'],
        acme_prod: ["CREATE TABLE orders AS SELECT 99 AS id, 'acme' AS amount"],
      },
    });
    warehouse = new MotherDuckWarehouse({ connector: standIn, databases: { acme: 'acme_prod' }, defaultQueryLimits: limits });
  });

  afterEach(async () => {
    // Every connection is closed, including interrupted ones, before the instance goes.
    expect(await standIn.waitForClose()).toBe(0);
    warehouse.close();
  });

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
    ['a file-reading table function', "SELECT content FROM read_text('/proc/self/environ')", 'the table function read_text() is not allowed'],
    ['one nested in a subquery', "SELECT (SELECT count(*) FROM read_csv('/etc/passwd')) AS n", 'the table function read_csv() is not allowed'],
    ['a catalog listing', 'SELECT * FROM duckdb_settings()', 'the table function duckdb_settings() is not allowed'],
    ['a path in FROM', "SELECT * FROM '/srv/data/other.csv'", "'/srv/data/other.csv' is a file or URL, not a table"],
    ['a URL in FROM', "SELECT * FROM 'https://example.com/x.parquet'", "'https://example.com/x.parquet' is a file or URL, not a table"],
    ['a setting read', "SELECT current_setting('motherduck_token') AS t", 'current_setting() is not allowed'],
  ])('refuses %s, which MotherDuck would run on the worker', async (_label, sql, reason) => {
    const error = await failure(warehouse.query('sales', sql));
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect(error.message).toBe(`SQL run on MotherDuck may read only the database's tables: ${reason}.`);
    expect(standIn.connects).toBe(0);
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
    const started = Date.now();
    const error = await failure(
      warehouse.query('sales', 'SELECT max(hash(i)) AS h FROM range(1000000000000) t(i)', { timeoutMs: 300 }),
    );
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect(error.message).toMatch(/^The query ran longer than 0\.3 s and was stopped/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('fails execution without the token when MotherDuck cannot be reached', async () => {
    const unreachable: MotherDuckConnector = {
      connect: (): Promise<DuckDBConnection> => Promise.reject(new Error(`IO Error: bad token ${TEST_MOTHERDUCK_TOKEN}`)),
      redact: (message) => standIn.redact(message),
      close: () => undefined,
    };
    const offline = new MotherDuckWarehouse({ connector: unreachable, defaultQueryLimits: limits });
    try {
      const error = await failure(offline.query('sales', 'SELECT 1 AS one'));
      expect(error).toBeInstanceOf(ExecutionFailedError);
      expect(error.message).toBe('MotherDuck could not be reached: IO Error: bad token [redacted]');
    } finally {
      offline.close();
    }
  });
});
