import { col, schema, table } from './schema-builder.fixture';

/**
 * The demo warehouse of /work/shared/demo-schema.md as @flock/warehouse's schema reader
 * returns it for the `example` bucket: values listed for low-cardinality text columns,
 * most frequent first. Note `status` exists on two tables with different values.
 */
// prettier-ignore
export const demoSchema = () =>
  schema(
    table(
      'attendance',
      628,
      [col('event_id', 'INTEGER'), col('member_id', 'INTEGER'), col('checked_in', 'BOOLEAN')],
      { foreignKeys: [['event_id', 'event', 'id'], ['member_id', 'member', 'id']] },
    ),
    table(
      'event',
      26,
      [
        col('id', 'INTEGER'),
        col('name', 'VARCHAR'),
        col('category', 'VARCHAR', ['meetup', 'workshop', 'social', 'conference']),
        col('starts_at', 'TIMESTAMP'),
        col('capacity', 'INTEGER'),
      ],
      { primaryKey: ['id'] },
    ),
    table(
      'member',
      1323,
      [
        col('id', 'INTEGER'),
        col('first_name', 'VARCHAR'),
        col('last_name', 'VARCHAR'),
        col('email', 'VARCHAR'),
        col('membership_type', 'VARCHAR', ['Standard', 'Premium', 'Student', 'Lifetime']),
        col('status', 'VARCHAR', ['active', 'inactive', 'pending']),
        col('country', 'VARCHAR', [
          'Ireland', 'Austria', 'Belgium', 'United States', 'Norway', 'Greece', 'Germany', 'Sweden', 'Switzerland',
          'Portugal', 'Poland', 'United Kingdom', 'Denmark', 'France', 'Spain', 'Canada', 'Netherlands',
          'Czech Republic', 'Finland', 'Italy',
        ]),
        col('joined_at', 'DATE'),
      ],
      { primaryKey: ['id'] },
    ),
    table(
      'payment',
      6496,
      [
        col('id', 'INTEGER'),
        col('member_id', 'INTEGER'),
        col('amount', 'DECIMAL(10,2)'),
        col('currency', 'VARCHAR', ['EUR', 'GBP', 'USD']),
        col('status', 'VARCHAR', ['succeeded', 'refunded', 'failed']),
        col('paid_at', 'TIMESTAMP'),
      ],
      { primaryKey: ['id'], foreignKeys: [['member_id', 'member', 'id']] },
    ),
  );
