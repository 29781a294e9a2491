import type { BucketOutcome } from '@flock/warehouse';
import { chunkOutcomes, chunkPart, combineOutcomes } from './combine';

const ok = (bucket: string, columns: string[], rows: unknown[][], totalRows = rows.length, truncated = false): BucketOutcome => ({
  bucket,
  status: 'ok',
  columns,
  rows: rows as never,
  totalRows,
  truncated,
});

const limits = { maxRows: 1000, maxBytes: 400_000 };

describe('combineOutcomes', () => {
  it('puts _bucket first and keeps the given bucket order', () => {
    const outcomes = new Map([
      ['b', ok('b', ['total'], [[2]])],
      ['a', ok('a', ['total'], [[1]])],
    ]);
    const result = combineOutcomes(['a', 'b'], outcomes, limits);
    expect(result.columns).toEqual(['_bucket', 'total']);
    expect(result.rows).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(result.meta).toMatchObject({ databases_queried: 2, total_rows: 2, truncated: false, skipped: [], errors: {} });
    expect(result.meta).not.toHaveProperty('schema_drift');
  });

  it('unions drifted columns by name, fills the gaps with null and names the partial columns', () => {
    const outcomes = new Map([
      ['a', ok('a', ['id', 'email'], [[1, 'x@example.org']])],
      ['b', ok('b', ['nickname', 'id'], [['Ziggy', 7]])],
    ]);
    const result = combineOutcomes(['a', 'b'], outcomes, limits);
    expect(result.columns).toEqual(['_bucket', 'id', 'email', 'nickname']);
    expect(result.rows).toEqual([
      ['a', 1, 'x@example.org', null],
      ['b', 7, null, 'Ziggy'],
    ]);
    expect(result.meta.schema_drift).toEqual({ partial_columns: ['email', 'nickname'] });
  });

  it('reports skipped and errored buckets, and a bucket with no answer at all as errored', () => {
    const outcomes = new Map<string, BucketOutcome>([
      ['a', ok('a', ['total'], [[1]])],
      ['b', { bucket: 'b', status: 'skipped' }],
      ['c', { bucket: 'c', status: 'error', message: 'boom' }],
    ]);
    const result = combineOutcomes(['a', 'b', 'c', 'd'], outcomes, limits);
    expect(result.meta).toMatchObject({
      databases_queried: 1,
      databases_skipped: 1,
      databases_errored: 2,
      skipped: ['b'],
      errors: { c: 'boom', d: expect.any(String) },
    });
  });

  it('drops rows past the caps as a prefix in bucket order, keeping total_rows', () => {
    const outcomes = new Map([
      ['a', ok('a', ['n'], [[1], [2], [3]])],
      ['b', ok('b', ['n'], [[4], [5]], 9, true)],
    ]);
    const byRows = combineOutcomes(['a', 'b'], outcomes, { maxRows: 4, maxBytes: 400_000 });
    expect(byRows.rows).toEqual([
      ['a', 1],
      ['a', 2],
      ['a', 3],
      ['b', 4],
    ]);
    expect(byRows.meta).toMatchObject({ total_rows: 12, row_count: 4, truncated: true });

    const byBytes = combineOutcomes(['a', 'b'], outcomes, { maxRows: 1000, maxBytes: 20 });
    expect(JSON.stringify(byBytes.rows).length).toBeLessThanOrEqual(20);
    expect(byBytes.rows).toEqual([
      ['a', 1],
      ['a', 2],
    ]);
    expect(byBytes.meta.truncated).toBe(true);
  });

  it('flags truncation a bucket already applied, even when the combined rows fit', () => {
    const outcomes = new Map([['a', ok('a', ['n'], [[1]], 5, true)]]);
    expect(combineOutcomes(['a'], outcomes, limits).meta).toMatchObject({ truncated: true, total_rows: 5, row_count: 1 });
  });
});

describe('chunkPart and chunkOutcomes', () => {
  const outcomes: BucketOutcome[] = [
    ok(
      'a',
      ['n', 's'],
      [
        [1, 'x'],
        [2, 'yz'],
      ],
    ),
    { bucket: 'b', status: 'skipped' },
    { bucket: 'c', status: 'error', message: 'no such table' },
    ok('d', ['n'], [[3]], 5, true),
  ];

  it('weighs the rows apart from the rest, and reads back what it split', () => {
    const part = chunkPart(outcomes);
    expect(part.weight).toEqual({
      rows: 3,
      bytes:
        JSON.stringify([
          [1, 'x'],
          [2, 'yz'],
        ]).length + JSON.stringify([[3]]).length,
    });
    expect(JSON.stringify(part.summary)).not.toContain('yz');
    expect(chunkOutcomes({ summary: part.summary, rows: part.rows })).toEqual(outcomes);
  });

  it('weighs an empty bucket at nothing, as it adds nothing to the combined answer', () => {
    expect(chunkPart([ok('a', ['n'], [[1]]), ok('e', ['n'], [])]).weight).toEqual({
      rows: 1,
      bytes: JSON.stringify([[1]]).length,
    });
  });

  it('does not weigh rows whose columns the combination drops or merges, as they may cost less there', () => {
    expect(chunkPart([ok('a', ['_bucket', 'n'], [['x'.repeat(50), 1]]), ok('b', ['n', 'n'], [[1, 2]])]).weight).toEqual({
      rows: 2,
      bytes: 0,
    });
  });

  it('reads a part whose rows were dropped as answered but truncated, where it had rows', () => {
    const read = chunkOutcomes({ summary: chunkPart([...outcomes, ok('e', ['n'], [])]).summary });
    expect(read.map((outcome) => (outcome.status === 'ok' ? [outcome.rows.length, outcome.truncated] : outcome.status))).toEqual([
      [0, true],
      'skipped',
      'error',
      [0, true],
      [0, false],
    ]);
  });
});
