import { BuiltinSqlGenerator } from './builtin-generator';
import { schemaIndex } from './schema-index';
import { warmUpQuestions } from './warm-up';
import { col, schema, table } from '../test-fixtures/schema-builder.fixture';
import { clinicSchema } from './test-fixtures/other-schemas.fixture';

const orders = () =>
  schema(
    table(
      'order_items',
      40,
      [
        col('item_id', 'INTEGER'),
        col('orderId', 'INTEGER'),
        col('status', 'VARCHAR', ['shipped', 'returned']),
        col('unitPrice', 'DECIMAL(10,2)'),
      ],
      { primaryKey: ['item_id'], foreignKeys: [['orderId', 'orders', 'id']] },
    ),
    table('orders', 10, [col('id', 'INTEGER'), col('placed_at', 'DATE')], { primaryKey: ['id'] }),
  );

describe('warmUpQuestions', () => {
  it("writes each question from the schema's own names, as an asker would spell them", () => {
    expect(warmUpQuestions(schemaIndex(orders()))).toEqual([
      'How many order items are there?',
      'How many order items by status?',
      'How many order items have status shipped?',
      'Average unit price of order items',
      'Top 5 order items by unit price',
      'Total unit price by status',
      'How many orders are there?',
    ]);
  });

  it('never takes a key for an amount to add up, and asks nothing of a schema without tables', () => {
    expect(warmUpQuestions(schemaIndex(orders())).join(' ')).not.toMatch(/item id|order id|\bid\b/);
    expect(warmUpQuestions(schemaIndex(schema()))).toEqual([]);
  });
});

describe('BuiltinSqlGenerator.prepare warming the engine', () => {
  it('answers exactly as an engine never warmed, on a schema of another shape than the demo', async () => {
    const warmed = new BuiltinSqlGenerator();
    const prepared = clinicSchema();
    warmed.prepare(prepared);
    expect(prepared).toEqual(clinicSchema());
    for (const question of [...warmUpQuestions(schemaIndex(clinicSchema())), 'How many patients are there?', 'List the doctors']) {
      const cold = await new BuiltinSqlGenerator()
        .generate({ question, bucket: 'clinic', schema: clinicSchema() })
        .catch((error: Error) => error.message);
      const ahead = await warmed.generate({ question, bucket: 'clinic', schema: prepared }).catch((error: Error) => error.message);
      expect(ahead).toEqual(cold);
    }
  });

  it('copes with a schema it can say nothing about', () => {
    expect(() => new BuiltinSqlGenerator().prepare(schema())).not.toThrow();
    expect(() => new BuiltinSqlGenerator().prepare(schema(table('t', 0, [col('x', 'BLOB')])))).not.toThrow();
  });
});
