import { BuiltinSqlGenerator } from '@flock/sql';
import { useTempWarehouseDir } from '@flock/testing';
import { createWarehouse, type Warehouse } from '@flock/warehouse';

/**
 * The warehouse and the built-in engine together: a name typed in the question is found
 * in a column too varied to list in the schema, by the warehouse's bounded lookup, and
 * the engine filters on it. Lives here because adapters never import engines.
 */
const warehouses = useTempWarehouseDir('value-lookup', {
  sql: {
    crowd: `CREATE TABLE person AS SELECT i AS person_id, 'Name ' || i AS full_name, i % 90 AS age FROM range(6000) r(i);
            INSERT INTO person VALUES (6000, 'Zed Quux', 41);`,
  },
});
let warehouse: Warehouse;

beforeAll(() => {
  warehouse = createWarehouse({
    warehouseDir: warehouses.dir,
    queryThreads: 1,
    queryMemoryLimit: '256MB',
    queryTimeoutMs: 10_000,
    maxResultRows: 10_000,
    maxResultBytes: 400_000,
    poolMaxIdle: 2,
    poolIdleMs: 60_000,
  });
});

afterAll(() => warehouse.close());

it('answers with a name found by the bounded lookup, and refuses without it', async () => {
  const schema = await warehouse.schema('crowd');
  const generator = new BuiltinSqlGenerator();
  const question = 'What is the age of Zed Quux?';
  const generated = await generator.generate({
    question,
    bucket: 'crowd',
    schema,
    findValues: (texts) => warehouse.findValues('crowd', texts),
  });
  expect(generated.sql).toBe("SELECT age FROM person WHERE full_name = 'Zed Quux'");
  expect((await warehouse.query('crowd', generated.sql)).rows).toEqual([[41]]);
  // Without the lookup the name is not known, and the question is refused rather than answered without it.
  await expect(generator.generate({ question, bucket: 'crowd', schema })).rejects.toThrow(/Zed/);
});
