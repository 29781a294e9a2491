import { col, schema, table } from '../../test-fixtures/schema-builder.fixture';

/** A lending library: nothing in it shares a name with the demo warehouse. */
export const librarySchema = () =>
  schema(
    table(
      'book',
      300,
      [
        col('id', 'INTEGER'),
        col('title', 'VARCHAR'),
        col('genre', 'VARCHAR', ['Fantasy', 'History', 'Crime', 'Biography', 'Science Fiction']),
        col('published_on', 'DATE'),
        col('pages', 'INTEGER'),
      ],
      { primaryKey: ['id'] },
    ),
    table(
      'loan',
      2000,
      [
        col('id', 'INTEGER'),
        col('book_id', 'INTEGER'),
        col('borrower', 'VARCHAR'),
        col('loaned_at', 'TIMESTAMP'),
        col('returned', 'BOOLEAN'),
        col('fee', 'DECIMAL(8,2)'),
      ],
      { primaryKey: ['id'], foreignKeys: [['book_id', 'book', 'id']] },
    ),
  );

/** A shop with plural table names, a two-hop join and a flag with an `is_` prefix. */
export const shopSchema = () =>
  schema(
    table(
      'customers',
      500,
      [
        col('id', 'INTEGER'),
        col('name', 'VARCHAR', undefined, true),
        col('email', 'VARCHAR', undefined, true),
        col('city', 'VARCHAR', ['Dublin', 'Galway', 'New York', 'Limerick', 'Cork'], true),
        col('created_at', 'TIMESTAMP', undefined, true),
        col('is_vip', 'BOOLEAN', undefined, true),
      ],
      { primaryKey: ['id'] },
    ),
    table(
      'order_items',
      8000,
      [col('order_id', 'INTEGER'), col('product_id', 'INTEGER'), col('quantity', 'INTEGER'), col('unit_price', 'DECIMAL(10,2)')],
      {
        foreignKeys: [
          ['order_id', 'orders', 'id'],
          ['product_id', 'products', 'id'],
        ],
      },
    ),
    table(
      'orders',
      3000,
      [
        col('id', 'INTEGER'),
        col('customer_id', 'INTEGER'),
        col('order_date', 'DATE'),
        col('status', 'VARCHAR', ['pending', 'cancelled', 'shipped', 'delivered']),
        col('total', 'DECIMAL(12,2)'),
      ],
      { primaryKey: ['id'], foreignKeys: [['customer_id', 'customers', 'id']] },
    ),
    table(
      'products',
      200,
      [
        col('id', 'INTEGER'),
        col('name', 'VARCHAR'),
        col('category', 'VARCHAR', ['Books', 'Garden', 'Kitchen', 'Toys']),
        col('price', 'DECIMAL(10,2)'),
        col('stock', 'INTEGER'),
      ],
      { primaryKey: ['id'] },
    ),
  );

/**
 * A warehouse loaded without constraints, with mixed-case names: joins must come from
 * the `<table>_id` naming convention and identifiers must be quoted.
 */
export const clinicSchema = () =>
  schema(
    table('Patient', 900, [
      col('id', 'INTEGER'),
      col('FullName', 'VARCHAR'),
      col('gender', 'VARCHAR', ['female', 'male', 'other']),
      col('birth_date', 'DATE'),
    ]),
    table('visit', 4000, [
      col('id', 'INTEGER'),
      col('patient_id', 'INTEGER'),
      col('visit_date', 'DATE'),
      col('department', 'VARCHAR', ['Cardiology', 'Oncology', "Children's Ward"]),
      col('cost', 'DOUBLE'),
      col('is_emergency', 'BOOLEAN'),
    ]),
  );
