import { schemaIndex } from './schema-index';
import { demoSchema } from '../test-fixtures/demo-schema.fixture';
import { clinicSchema, shopSchema } from './test-fixtures/other-schemas.fixture';
import { col, schema, table as tableOf } from '../test-fixtures/schema-builder.fixture';
import { interpret } from './interpret';
import { parseItems } from './parse';
import { render } from './render';
import { tokenize } from '../text/tokenize';

describe('schemaIndex', () => {
  it('is built once per SchemaContext object', () => {
    const schema = demoSchema();
    expect(schemaIndex(schema)).toBe(schemaIndex(schema));
    expect(schemaIndex(demoSchema())).not.toBe(schemaIndex(schema));
  });

  it('finds what names a row, what to total and when a row happened', () => {
    const index = schemaIndex(demoSchema());
    const table = (name: string) => index.tables.find((t) => t.name === name)!;
    expect(table('member').labels.map((c) => c.name)).toEqual(['first_name', 'last_name']);
    expect(table('event').labels.map((c) => c.name)).toEqual(['name']);
    expect(table('payment').labels).toEqual([]);
    expect(table('payment').measures.map((c) => c.name)).toEqual(['amount']);
    expect(table('event').measures.map((c) => c.name)).toEqual(['capacity']);
    expect(table('payment').temporals.map((c) => c.name)).toEqual(['paid_at']);
    expect(table('member').personScore).toBeGreaterThan(0);
    expect(table('event').personScore).toBe(0);
  });

  it('prefers a money column as the measure and keeps keys out of it', () => {
    const index = schemaIndex(shopSchema());
    const items = index.tables.find((t) => t.name === 'order_items')!;
    expect(items.measures.map((c) => c.name)).toEqual(['unit_price', 'quantity']);
    expect(items.columns.filter((c) => c.isKey).map((c) => c.name)).toEqual(['order_id', 'product_id']);
  });

  it('follows declared foreign keys up to grandparents', () => {
    const index = schemaIndex(shopSchema());
    const items = index.tables.find((t) => t.name === 'order_items')!;
    const reach = [...index.pathsFrom(items).entries()].map(([t, path]) => [t.name, path.length]);
    expect(reach).toEqual([
      ['order_items', 0],
      ['orders', 1],
      ['products', 1],
      ['customers', 2],
    ]);
  });

  it('infers a join from <table>_id when no key is declared', () => {
    const index = schemaIndex(clinicSchema());
    const visit = index.tables.find((t) => t.name === 'visit')!;
    expect(visit.parents.map((l) => [l.parent.name, l.childColumns, l.parentColumns])).toEqual([['Patient', ['patient_id'], ['id']]]);
  });

  it('indexes multi-word values under their words', () => {
    const index = schemaIndex(demoSchema());
    expect(index.values.get('unit kingdom')?.map((v) => v.value)).toEqual(['United Kingdom']);
  });

  it('takes a compound name column as the label: dept_name, job_title', () => {
    const index = schemaIndex(
      schema(tableOf('dept', 3, [col('dept_id', 'INTEGER'), col('dept_name', 'VARCHAR'), col('budget', 'INTEGER')])),
    );
    expect(index.tables[0]!.labels.map((c) => c.name)).toEqual(['dept_name']);
  });

  it('ranks a bookkeeping date such as modified_at below the date a row happened', () => {
    const index = schemaIndex(schema(tableOf('account', 3, [col('modified_at', 'TIMESTAMP'), col('opened_on', 'DATE')])));
    expect(index.tables[0]!.temporals.map((c) => c.name)).toEqual(['opened_on', 'modified_at']);
  });
});

describe('the planner', () => {
  it('keeps a listed value that is also a money word as a filter: employees in Sales', () => {
    const staff = schema(
      tableOf('employees', 4, [
        col('id', 'INTEGER'),
        col('name', 'VARCHAR'),
        col('department', 'VARCHAR', ['Sales', 'Engineering']),
        col('salary', 'DECIMAL(10,2)'),
      ]),
    );
    const index = schemaIndex(staff);
    const plan = interpret(parseItems(tokenize('How many employees in Sales?'), index), index);
    expect(render(plan, index).sql).toBe("SELECT count(*) AS count FROM employees WHERE department = 'Sales'");
  });
});
