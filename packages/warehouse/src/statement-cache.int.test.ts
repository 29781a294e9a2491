import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { StatementCache } from './statement-cache';

describe('StatementCache', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    await connection.run('CREATE TABLE t AS SELECT range AS v FROM range(10)');
  });
  afterAll(() => {
    connection.closeSync();
    instance.closeSync();
  });

  it('runs the same SQL from one plan, each run reading the data as it is then', async () => {
    let reused = 0;
    const cache = new StatementCache(connection, { onReuse: () => reused++ });
    const sql = 'SELECT count(*)::INT FROM t';
    const statement = await cache.prepare(sql);
    expect((await statement.runAndReadAll()).getRowsJS()).toEqual([[10]]);
    await connection.run('INSERT INTO t VALUES (10)');
    expect(await cache.prepare(sql)).toBe(statement);
    expect((await (await cache.prepare(sql)).runAndReadAll()).getRowsJS()).toEqual([[11]]);
    expect(cache.size).toBe(1);
    expect(reused).toBe(2);
  });

  it('keeps at most its bound, freeing the least recently used statement', async () => {
    const cache = new StatementCache(connection, { max: 2 });
    const first = await cache.prepare('SELECT 1');
    const pushedOut = await cache.prepare('SELECT 2');
    await cache.prepare('SELECT 1'); // used again: now the most recent
    await cache.prepare('SELECT 3');
    expect(cache.size).toBe(2);
    expect(await cache.prepare('SELECT 1')).toBe(first);
    // 'SELECT 2' was pushed out and freed: asked again, it is prepared anew.
    await expect(pushedOut.runAndReadAll()).rejects.toThrow(/Failed to execute/);
    const second = await cache.prepare('SELECT 2');
    expect((await second.runAndReadAll()).getRowsJS()).toEqual([[2]]);
    expect(cache.size).toBe(2);
  });
});
