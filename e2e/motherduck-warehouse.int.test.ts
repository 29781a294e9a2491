import path from 'node:path';
import request from 'supertest';
import { MotherDuckStandIn, TEST_MOTHERDUCK_TOKEN, demoWarehouseDir, normalise, referenceRows, useTempWarehouseDir } from '@flock/testing';
import { asAdmin, settle, settleQueryAll, submit, submitQueryAll, useHarness } from './support/flock-harness';

/**
 * `acme` is hosted on MotherDuck (FLOCK_MOTHERDUCK_DATABASES=acme=acme_prod), played by a
 * local DuckDB whose acme_prod is the demo bucket `example`, attached read-only. The warehouse
 * folder also holds a stale `acme.duckdb`, a copy of `jec`: answers must never come from it.
 */
describe('a bucket hosted on MotherDuck, end to end against a local DuckDB stand-in for MotherDuck', () => {
  const warehouses = useTempWarehouseDir('motherduck', { demo: { example: 'example', jec: 'jec', acme: 'jec' } });
  // Opens nothing until first used, so it can be made while the tests are collected.
  const standIn = new MotherDuckStandIn({
    databases: { rival: ["CREATE TABLE secrets AS SELECT 'rival-only' AS secret"] },
    files: { acme_prod: path.join(demoWarehouseDir(), 'example.duckdb') },
  });
  const flock = useHarness(() => ({
    env: {
      FLOCK_WAREHOUSE_DIR: warehouses.dir,
      MOTHERDUCK_TOKEN: TEST_MOTHERDUCK_TOKEN,
      FLOCK_MOTHERDUCK_DATABASES: 'acme=acme_prod',
      FLOCK_QUERY_ALL_CHUNK_SIZE: '3',
    },
    motherDuck: standIn,
  }));
  // Declared after the harness, so it closes after the harness stops using it.
  afterAll(() => standIn.close());

  const queryAll = async (body: object) => settleQueryAll(flock.app, await submitQueryAll(flock.app, body));

  it("answers an ask from MotherDuck's data, with the built-in engine reading MotherDuck's schema", async () => {
    const question = 'How many members by type?';
    const body = await settle(flock.app, 'acme', await submit(flock.app, 'acme', question));
    const expected = await referenceRows('example', 'SELECT membership_type, count(*) FROM member GROUP BY 1');
    expect(body.data).toMatchObject({ status: 'completed', columns: ['membership_type', 'count'] });
    expect(normalise(body.data.rows)).toEqual(normalise(expected));
    expect(normalise(body.data.rows)).not.toEqual(
      normalise(await referenceRows('jec', 'SELECT membership_type, count(*) FROM member GROUP BY 1')),
    );
    expect(body.meta).toMatchObject({ bucket: 'acme', question, generator: 'builtin' });
  });

  it("lists the hosted bucket's tables from MotherDuck", async () => {
    const res = await asAdmin(request(flock.app).get('/api/v1/acme/tables'));
    expect(res.status).toBe(200);
    const expected = await referenceRows(
      'example',
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1",
    );
    expect(res.body.data.tables.map((table: { name: string }) => table.name).sort()).toEqual(expected.map(([name]) => name));
  });

  it('runs /query on MotherDuck, and refuses SQL that names another database', async () => {
    const ok = await asAdmin(request(flock.app).post('/api/v1/acme/query')).send({ sql: 'SELECT count(*) AS n FROM member' });
    expect(ok.status).toBe(200);
    expect(ok.body.data.rows).toEqual(await referenceRows('example', 'SELECT count(*) FROM member'));

    const hostile = await asAdmin(request(flock.app).post('/api/v1/acme/query')).send({ sql: 'SELECT secret FROM rival.secrets' });
    expect(hostile.status).toBe(400);
    expect(hostile.body).toEqual({
      error: {
        code: 'validation_failed',
        message: "SQL run on MotherDuck may read only the database's tables: 'rival.secrets' may be outside this database.",
      },
    });
  });

  it('runs /query-all over hosted and local buckets in one chunk, in bucket order', async () => {
    const body = await queryAll({ sql: 'SELECT count(*) AS total FROM member', table: 'member' });
    const [[exampleCount]] = (await referenceRows('example', 'SELECT count(*) FROM member')) as [[number]];
    const [[jecCount]] = (await referenceRows('jec', 'SELECT count(*) FROM member')) as [[number]];
    expect(body.data).toMatchObject({
      status: 'completed',
      columns: ['_bucket', 'total'],
      rows: [
        ['acme', exampleCount],
        ['example', exampleCount],
        ['jec', jecCount],
      ],
    });
    expect(body.meta).toMatchObject({ databases_queried: 3, databases_errored: 0, chunks: 1 });
  });

  it('/query-all skips a hosted bucket without the table, and refuses SQL naming another database before reaching any', async () => {
    const skipped = await queryAll({ sql: 'SELECT count(*) AS n FROM no_such_table', table: 'no_such_table' });
    expect(skipped.meta).toMatchObject({ skipped: ['acme', 'example', 'jec'], databases_queried: 0 });

    const hostile = await queryAll({ sql: 'SELECT count(*) AS n FROM rival.main.secrets', buckets: ['acme', 'example'] });
    expect(hostile.data).toMatchObject({
      status: 'failed',
      error_code: 'validation_failed',
      error_message: "A cross-tenant query may read only the database's tables: 'rival.main.secrets' is in another database.",
    });
  });
});
