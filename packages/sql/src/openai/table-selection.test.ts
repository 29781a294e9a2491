import type { SchemaContext, TableInfo } from '@flock/schema';
import { demoSchema } from '../test-fixtures/demo-schema.fixture';
import { col, schema, table } from '../test-fixtures/schema-builder.fixture';
import { renderTable } from './prompt';
import { selectSchema } from './table-selection';

/**
 * 300 tables: 296 generic ones named after unrelated business areas, then the four a
 * question about invoices and customer segments needs, last, so that taking tables in
 * schema order would never reach them.
 */
function largeSchema(): SchemaContext {
  const areas = ['warehouse_bin', 'shipment_leg', 'audit_event', 'sensor_reading', 'ticket', 'campaign', 'asset', 'shift'];
  const tables: TableInfo[] = [];
  for (let i = 0; i < 296; i++) {
    const area = areas[i % areas.length]!;
    tables.push(
      table(
        `${area}_${String(i).padStart(3, '0')}`,
        1000 + i,
        [
          col('id', 'INTEGER'),
          col('code', 'VARCHAR'),
          col('kind', 'VARCHAR', ['alpha', 'beta', 'gamma']),
          col('created_at', 'TIMESTAMP'),
          col('quantity', 'INTEGER'),
          col('note', 'VARCHAR'),
        ],
        { primaryKey: ['id'] },
      ),
    );
  }
  tables.push(
    table('region', 12, [col('id', 'INTEGER'), col('name', 'VARCHAR', ['North', 'South'])], { primaryKey: ['id'] }),
    table(
      'customer',
      5000,
      [
        col('id', 'INTEGER'),
        col('name', 'VARCHAR'),
        col('segment', 'VARCHAR', ['Enterprise', 'SMB', 'Consumer']),
        col('region_id', 'INTEGER'),
      ],
      { primaryKey: ['id'], foreignKeys: [['region_id', 'region', 'id']] },
    ),
    table(
      'invoice',
      90000,
      [col('id', 'INTEGER'), col('customer_id', 'INTEGER'), col('amount', 'DECIMAL(12,2)'), col('issued_on', 'DATE')],
      { primaryKey: ['id'], foreignKeys: [['customer_id', 'customer', 'id']] },
    ),
    table('invoice_line', 400000, [col('invoice_id', 'INTEGER'), col('sku', 'VARCHAR'), col('price', 'DECIMAL(12,2)')], {
      foreignKeys: [['invoice_id', 'invoice', 'id']],
    }),
  );
  return { tables };
}

const names = (tables: TableInfo[]) => tables.map((t) => t.name);

describe('selectSchema', () => {
  it('sends a schema that fits whole, in schema order', () => {
    const demo = demoSchema();
    const selection = selectSchema('How many members?', demo, 12_000);
    expect(names(selection.tables)).toEqual(['attendance', 'event', 'member', 'payment']);
    expect(selection.omitted).toBe(0);
    expect(selection.text).toBe(demo.tables.map((t) => renderTable(t)).join('\n'));
  });

  describe('on a 300-table schema', () => {
    const big = largeSchema();
    const question = 'Total invoice amount for Enterprise customers by month';

    it('is far larger than the budget when rendered whole', () => {
      expect(big.tables.map((t) => renderTable(t)).join('\n').length).toBeGreaterThan(40_000);
    });

    it.each([1000, 4000, 12_000])('stays within a budget of %i characters', (budget) => {
      const selection = selectSchema(question, big, budget);
      expect(selection.text.length).toBeLessThanOrEqual(budget);
      expect(selection.tables.length + selection.omitted).toBe(300);
      expect(selection.omitted).toBeGreaterThan(0);
      // Every kept table is in the text, one line each.
      expect(selection.text.split('\n')).toHaveLength(selection.tables.length);
    });

    const lineOf = (name: string) => renderTable(big.tables.find((t) => t.name === name)!);
    const room = (...tables: string[]) => tables.map(lineOf).join('\n').length;

    it('keeps the tables the question names first, then their foreign-key neighbours', () => {
      const named = selectSchema(question, big, room('customer', 'invoice', 'invoice_line'));
      expect(names(named.tables)).toEqual(['customer', 'invoice', 'invoice_line']);
      expect(named.omitted).toBe(297);

      const withParent = selectSchema(question, big, room('region', 'customer', 'invoice', 'invoice_line'));
      expect(names(withParent.tables)).toEqual(['region', 'customer', 'invoice', 'invoice_line']);

      const roomy = selectSchema(question, big, 4000);
      expect(names(roomy.tables)).toEqual(expect.arrayContaining(['customer', 'invoice', 'invoice_line', 'region']));
      // Output keeps schema order: the generic tables that filled the rest come first.
      expect(names(roomy.tables).slice(-4)).toEqual(['region', 'customer', 'invoice', 'invoice_line']);
    });

    it('finds a table through a listed value alone', () => {
      const selection = selectSchema('How many are Enterprise?', big, 600);
      expect(names(selection.tables)).toContain('customer');
    });

    it('is deterministic', () => {
      expect(selectSchema(question, big, 4000)).toEqual(selectSchema(question, big, 4000));
      const shuffledQuestion = 'by month, enterprise customers: total invoice amount';
      expect(names(selectSchema(shuffledQuestion, big, 4000).tables)).toEqual(names(selectSchema(question, big, 4000).tables));
    });

    it('fills the budget in schema order when no word of the question matches', () => {
      const selection = selectSchema('How many people signed up?', big, 2000);
      expect(selection.tables.length).toBeGreaterThan(0);
      const generic = names(selection.tables).filter((name) => /_\d{3}$/.test(name));
      expect(generic.length).toBeGreaterThan(5);
      expect(generic).toEqual(names(big.tables.slice(0, generic.length)));
      expect(selection.text.length).toBeLessThanOrEqual(2000);
    });
  });

  it('keeps a wide table without its values when the full line does not fit', () => {
    const wide = table(
      'survey',
      10,
      Array.from({ length: 8 }, (_, i) => col(`answer_${i}`, 'VARCHAR', ['strongly agree', 'agree', 'neutral', 'disagree'])),
    );
    const withValues = renderTable(wide);
    const without = renderTable(wide, { values: false });
    const other = table('other', 1, [col('x', 'INTEGER')]);
    const selection = selectSchema('survey answers', schema(other, wide), without.length + 1);
    expect(withValues.length).toBeGreaterThan(without.length + 1);
    expect(selection.text).toBe(without);
    expect(names(selection.tables)).toEqual(['survey']);
  });

  it('keeps nothing when not even one table fits without values', () => {
    const selection = selectSchema('anything', schema(table('t', 1, [col('a_rather_long_column_name', 'INTEGER')])), 10);
    expect(selection).toEqual({ text: '', tables: [], omitted: 1 });
  });
});
