import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { bucketNames, NO_EVENTS_GUARANTEED_BY } from './bucket-names';
import { bucketProfile, COUNTRIES, hasEventTables } from './bucket-profile';
import { createDemoWarehouse, createDemoWarehouses, warehousePath, type DemoSummary } from './demo-warehouse';

/** Enough buckets to include `example`, `jec` (a large one) and one without events. */
const COUNT = NO_EVENTS_GUARANTEED_BY + 1;
const buckets = bucketNames(COUNT);
const eventBuckets = buckets.filter((b) => hasEventTables(b));
const noEventBucket = buckets.find((b) => !hasEventTables(b)) as string;

let root: string;
let dir: string;
let first: DemoSummary;
const progress: Array<[string, boolean]> = [];

type Row = (string | number | boolean | null)[];

async function query(file: string, sql: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
  try {
    const connection: DuckDBConnection = await instance.connect();
    try {
      return (await connection.runAndReadAll(sql)).getRowsJson() as Row[];
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

const file = (bucket: string, folder = dir) => warehousePath(folder, bucket);

async function tables(bucket: string, folder = dir): Promise<string[]> {
  const rows = await query(file(bucket, folder), `SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1`);
  return rows.map((r) => String(r[0]));
}

/** Count and order-independent hash sum of every row of every table. */
async function fingerprint(bucket: string, folder: string): Promise<Row[]> {
  const parts = (await tables(bucket, folder)).map(
    (t) => `SELECT '${t}' AS t, count(*)::VARCHAR AS n, coalesce(sum(hash(x)), 0)::VARCHAR AS h FROM "${t}" x`,
  );
  return query(file(bucket, folder), `${parts.join(' UNION ALL ')} ORDER BY 1`);
}

/** Counts per value of a column, most common first. */
async function groupCounts(bucket: string, table: string, column: string): Promise<Array<[string, number]>> {
  const rows = await query(file(bucket), `SELECT ${column}, count(*) AS n FROM ${table} GROUP BY 1 ORDER BY n DESC, 1`);
  return rows.map((r) => [String(r[0]), Number(r[1])]);
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'flock-demo-'));
  dir = path.join(root, 'a');
  first = await createDemoWarehouses({ dir, count: COUNT, onBucket: (b, created) => progress.push([b, created]) });
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('createDemoWarehouses', () => {
  it('creates one file per bucket, in bucket order, and reports each one', () => {
    expect(first.buckets).toEqual(buckets);
    expect(first.created).toEqual(buckets);
    expect(first.existing).toEqual([]);
    expect(progress.map(([b]) => b).sort()).toEqual([...buckets].sort());
    expect(progress.every(([, created]) => created)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(buckets.map((b) => `${b}.duckdb`).sort());
  });

  it('skips files that exist, and recreates them with force', async () => {
    const before = fs.statSync(file('example')).mtimeMs;
    const again = await createDemoWarehouses({ dir, count: COUNT });
    expect(again.created).toEqual([]);
    expect(again.existing).toEqual(buckets);
    expect(fs.statSync(file('example')).mtimeMs).toBe(before);

    // A stale WAL next to the target would be replayed onto the new file: it must go.
    fs.writeFileSync(`${file('example')}.wal`, 'stale');
    const forced = await createDemoWarehouses({ dir, count: 1, force: true, concurrency: 1 });
    expect(forced.created).toEqual(['example']);
    expect(fs.existsSync(`${file('example')}.wal`)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(await query(file('example'), 'SELECT count(*)::INTEGER FROM member')).toEqual([[bucketProfile('example').members]]);
  });

  it('rejects a bad count or bucket name', async () => {
    await expect(createDemoWarehouses({ dir, count: 0 })).rejects.toThrow(RangeError);
    await expect(createDemoWarehouse(dir, '../escape')).rejects.toThrow(/Invalid bucket name/);
  });
});

describe('demo schema', () => {
  it('has exactly the documented columns and types', async () => {
    const rows = await query(
      file('example'),
      `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_schema = 'main' ORDER BY table_name, ordinal_position`,
    );
    const col = (t: string, c: string, type: string) => [t, c, type, 'NO'];
    expect(rows).toEqual([
      col('attendance', 'event_id', 'INTEGER'),
      col('attendance', 'member_id', 'INTEGER'),
      col('attendance', 'checked_in', 'BOOLEAN'),
      col('event', 'id', 'INTEGER'),
      col('event', 'name', 'VARCHAR'),
      col('event', 'category', 'VARCHAR'),
      col('event', 'starts_at', 'TIMESTAMP'),
      col('event', 'capacity', 'INTEGER'),
      col('member', 'id', 'INTEGER'),
      col('member', 'first_name', 'VARCHAR'),
      col('member', 'last_name', 'VARCHAR'),
      col('member', 'email', 'VARCHAR'),
      col('member', 'membership_type', 'VARCHAR'),
      col('member', 'status', 'VARCHAR'),
      col('member', 'country', 'VARCHAR'),
      col('member', 'joined_at', 'DATE'),
      col('payment', 'id', 'INTEGER'),
      col('payment', 'member_id', 'INTEGER'),
      col('payment', 'amount', 'DECIMAL(10,2)'),
      col('payment', 'currency', 'VARCHAR'),
      col('payment', 'status', 'VARCHAR'),
      col('payment', 'paid_at', 'TIMESTAMP'),
    ]);
  });

  it('declares the documented primary and foreign keys', async () => {
    const rows = await query(
      file('example'),
      `SELECT table_name, constraint_type, array_to_string(constraint_column_names, ','),
              coalesce(referenced_table, ''), coalesce(array_to_string(referenced_column_names, ','), '')
         FROM duckdb_constraints()
        WHERE schema_name = 'main' AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')
        ORDER BY 1, 2, 3`,
    );
    expect(rows).toEqual([
      ['attendance', 'FOREIGN KEY', 'event_id', 'event', 'id'],
      ['attendance', 'FOREIGN KEY', 'member_id', 'member', 'id'],
      ['event', 'PRIMARY KEY', 'id', '', ''],
      ['member', 'PRIMARY KEY', 'id', '', ''],
      ['payment', 'FOREIGN KEY', 'member_id', 'member', 'id'],
      ['payment', 'PRIMARY KEY', 'id', '', ''],
    ]);
  });

  it('has event tables exactly where hasEventTables says so, and some bucket without them', async () => {
    expect(noEventBucket).toBeDefined();
    for (const bucket of buckets) {
      const expected = hasEventTables(bucket) ? ['attendance', 'event', 'member', 'payment'] : ['member', 'payment'];
      expect(await tables(bucket)).toEqual(expected);
    }
    expect(bucketNames(177).filter((b) => !hasEventTables(b)).length).toBeGreaterThanOrEqual(3);
  });
});

describe('demo values', () => {
  it('keeps every value in its documented domain', async () => {
    for (const bucket of buckets) {
      const [row] = await query(
        file(bucket),
        `SELECT
           (SELECT count(*) FROM member WHERE membership_type NOT IN ('Standard', 'Premium', 'Student', 'Lifetime')
              OR status NOT IN ('active', 'inactive', 'pending')
              OR country NOT IN (${COUNTRIES.map((c) => `'${c}'`).join(', ')})
              OR joined_at NOT BETWEEN DATE '2019-01-01' AND DATE '2025-06-30'
              OR email <> lower(replace(first_name, ' ', '')) || '.' || lower(replace(last_name, ' ', '')) || id || '@example.org'),
           (SELECT count(*) FROM payment WHERE currency NOT IN ('EUR', 'GBP', 'USD')
              OR status NOT IN ('succeeded', 'refunded', 'failed')
              OR amount NOT BETWEEN 5.00 AND 500.00
              OR paid_at NOT BETWEEN TIMESTAMP '2022-01-01 00:00:00' AND TIMESTAMP '2025-06-30 23:59:59'),
           (SELECT count(*) FROM payment p LEFT JOIN member m ON m.id = p.member_id
             WHERE m.id IS NULL OR p.paid_at < m.joined_at),
           (SELECT min(id) FROM member), (SELECT max(id) = count(*) FROM member)`,
      );
      expect(row).toEqual(['0', '0', '0', 1, true]);
    }
    for (const bucket of eventBuckets) {
      const [row] = await query(
        file(bucket),
        `SELECT
           (SELECT count(*) FROM event WHERE category NOT IN ('meetup', 'workshop', 'conference', 'social')
              OR capacity NOT BETWEEN 10 AND 1000
              OR starts_at NOT BETWEEN TIMESTAMP '2022-01-01' AND TIMESTAMP '2025-06-30 23:59:59'
              OR NOT regexp_matches(name, '^(Winter|Spring|Summer|Autumn) (Meetup|Workshop|Conference|Social) #[0-9]+$')),
           (SELECT count(*) - count(DISTINCT name) FROM event),
           (SELECT count(*) FROM attendance a LEFT JOIN event e ON e.id = a.event_id LEFT JOIN member m ON m.id = a.member_id
             WHERE e.id IS NULL OR m.id IS NULL),
           (SELECT count(*) - count(DISTINCT (event_id, member_id)) FROM attendance),
           (SELECT count(*) >= 3 FROM event),
           (SELECT count(*) > 0 FROM attendance)`,
      );
      expect(row).toEqual(['0', '0', '0', '0', true, true]);
    }
  });

  it('matches the profile sizes, with 3 to 6 payments per member', async () => {
    for (const bucket of buckets) {
      const profile = bucketProfile(bucket);
      const [[members, payments]] = (await query(
        file(bucket),
        'SELECT (SELECT count(*) FROM member)::INTEGER, (SELECT count(*) FROM payment)::INTEGER',
      )) as [[number, number]];
      expect(members).toBe(profile.members);
      expect(payments).toBe(profile.payments);
      expect(payments / members).toBeGreaterThanOrEqual(3);
      expect(payments / members).toBeLessThanOrEqual(6);
    }
    const example = bucketProfile('example').members;
    expect(example).toBeGreaterThanOrEqual(800);
    expect(example).toBeLessThanOrEqual(2000);
  });

  it('is skewed, so "the most" has exactly one answer', async () => {
    for (const bucket of buckets) {
      const types = await groupCounts(bucket, 'member', 'membership_type');
      expect(types.map(([v]) => v)).toEqual(['Standard', 'Premium', 'Student', 'Lifetime']);
      const statuses = await groupCounts(bucket, 'member', 'status');
      expect(statuses.map(([v]) => v)).toEqual(['active', 'inactive', 'pending']);
      const countries = await groupCounts(bucket, 'member', 'country');
      expect(countries[0]![1]).toBeGreaterThan(countries[1]![1]);
      const currencies = await groupCounts(bucket, 'payment', 'currency');
      expect(currencies.map(([v]) => v)).toEqual(['EUR', 'GBP', 'USD']);
      const payStatuses = await groupCounts(bucket, 'payment', 'status');
      expect(payStatuses.map(([v]) => v)).toEqual(['succeeded', 'refunded', 'failed']);
      expect(payStatuses[0]![1]).toBeGreaterThan(5 * payStatuses[1]![1]);
      for (const counts of [types, statuses, countries, currencies, payStatuses]) {
        expect(counts[0]![1]).toBeGreaterThan(counts[1]![1]);
      }
    }
    for (const bucket of eventBuckets) {
      const categories = await groupCounts(bucket, 'event', 'category');
      if (categories.length > 1) expect(categories[0]![1]).toBeGreaterThan(categories[1]![1]);
      const top = await query(file(bucket), 'SELECT capacity FROM event ORDER BY capacity DESC LIMIT 11');
      const capacities = top.map((r) => Number(r[0]));
      // The ten largest rooms are distinct and larger than the rest: "top N by capacity" is unambiguous.
      for (let i = 1; i < capacities.length; i++) expect(capacities[i - 1]).toBeGreaterThan(capacities[i]!);
      const [[checkedIn]] = (await query(file(bucket), 'SELECT avg(checked_in::INTEGER) FROM attendance')) as [[number]];
      if (bucketProfile(bucket).members >= 500) {
        expect(checkedIn).toBeGreaterThan(0.6);
        expect(checkedIn).toBeLessThan(0.9);
      }
    }
  });
});

describe('determinism', () => {
  it('generates identical data for the same bucket and seed, and different data for another seed', async () => {
    const other = path.join(root, 'b');
    const sample = ['example', 'jec', noEventBucket];
    for (const bucket of sample) await createDemoWarehouse(other, bucket);
    for (const bucket of sample) {
      const expected = await fingerprint(bucket, dir);
      expect(expected.length).toBeGreaterThanOrEqual(2);
      expect(await fingerprint(bucket, other)).toEqual(expected);
    }
    const reseeded = path.join(root, 'c');
    await createDemoWarehouse(reseeded, 'example', 7);
    expect(await fingerprint('example', reseeded)).not.toEqual(await fingerprint('example', dir));
  });

  it('answers unordered queries in the same row order on every generation', async () => {
    const other = path.join(root, 'b');
    const sql = 'SELECT * FROM payment LIMIT 50';
    expect(await query(file('example', other), sql)).toEqual(await query(file('example'), sql));
  });
});
