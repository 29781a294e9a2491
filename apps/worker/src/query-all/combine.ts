import type { AnswerPart, StoredPart } from '@flock/jobs';
import { CappedRows, jsonBytes, type BucketOutcome, type RowCaps } from '@flock/warehouse';

export interface CombinedResult {
  columns: string[];
  rows: unknown[][];
  meta: {
    databases_queried: number;
    databases_skipped: number;
    databases_errored: number;
    total_rows: number;
    row_count: number;
    skipped: string[];
    errors: Record<string, string>;
    truncated: boolean;
    /** Present when buckets answered with different columns: those not every bucket had. */
    schema_drift?: { partial_columns: string[] };
  };
}

export const BUCKET_COLUMN = '_bucket';

/**
 * Combines every bucket's answer into the seed's one table: `_bucket` first, then the
 * union of the buckets' columns by name in first-seen order, so tenants whose schemas
 * drifted still combine (their missing columns are null) instead of failing the job.
 * Rows keep the bucket order given. The combined rows are held to the same caps as an
 * ask result; `total_rows` still counts every row the buckets produced.
 */
export function combineOutcomes(order: string[], outcomes: Map<string, BucketOutcome>, limits: RowCaps): CombinedResult {
  const columns: string[] = [];
  const position = new Map<string, number>();
  const answered: Extract<BucketOutcome, { status: 'ok' }>[] = [];
  const skipped: string[] = [];
  const errors: Record<string, string> = {};
  for (const bucket of order) {
    const outcome = outcomes.get(bucket) ?? { bucket, status: 'error', message: 'No answer was received for this database.' };
    if (outcome.status === 'skipped') skipped.push(bucket);
    else if (outcome.status === 'error') errors[bucket] = outcome.message;
    else {
      answered.push(outcome);
      for (const column of outcome.columns) {
        if (column === BUCKET_COLUMN || position.has(column)) continue;
        position.set(column, columns.length);
        columns.push(column);
      }
    }
  }

  const partial = columns.filter((column) => answered.some((outcome) => !outcome.columns.includes(column)));
  // A prefix in bucket order: once a row does not fit, later buckets' rows are dropped too.
  const kept = new CappedRows<unknown[]>(limits);
  let totalRows = 0;
  let truncated = false;
  for (const outcome of answered) {
    totalRows += outcome.totalRows;
    truncated ||= outcome.truncated;
    if (kept.isFull) continue;
    const indexes = outcome.columns.map((column) => (column === BUCKET_COLUMN ? -1 : position.get(column)!));
    for (const source of outcome.rows) {
      const row: unknown[] = new Array(columns.length + 1).fill(null);
      row[0] = outcome.bucket;
      indexes.forEach((index, i) => {
        if (index >= 0) row[index + 1] = source[i];
      });
      if (!kept.add(row)) {
        truncated = true;
        break;
      }
    }
  }
  const { rows } = kept;

  return {
    columns: [BUCKET_COLUMN, ...columns],
    rows,
    meta: {
      databases_queried: answered.length,
      databases_skipped: skipped.length,
      databases_errored: Object.keys(errors).length,
      total_rows: totalRows,
      row_count: rows.length,
      skipped,
      errors,
      truncated,
      ...(partial.length > 0 ? { schema_drift: { partial_columns: partial } } : {}),
    },
  };
}

/**
 * A chunk's outcomes as the job store keeps them: the rows apart, weighed, so that once
 * earlier chunks alone fill the caps they are dropped rather than kept until the merge.
 */
export function chunkPart(outcomes: BucketOutcome[]): AnswerPart {
  const weight = { rows: 0, bytes: 0 };
  const rows = outcomes.map((outcome) => {
    if (outcome.status !== 'ok') return null;
    weight.rows += outcome.rows.length;
    // Bytes are counted only where they are never more than the same rows cost once
    // combined (each gains its `_bucket`), so a prefix over the byte cap here is over it
    // in the answer too. Not an empty bucket's `[]`, which the answer never spends, nor
    // rows whose columns the combination drops or merges (a `_bucket` of their own, a
    // repeated name), which may cost less there.
    const combinesWhole = !outcome.columns.includes(BUCKET_COLUMN) && new Set(outcome.columns).size === outcome.columns.length;
    if (outcome.rows.length > 0 && combinesWhole) weight.bytes += jsonBytes(outcome.rows);
    return outcome.rows;
  });
  const summary = outcomes.map((outcome) => (outcome.status === 'ok' ? { ...outcome, rows: [] } : outcome));
  return { summary, rows, weight };
}

/**
 * A stored chunk's outcomes, as chunkPart split them. Rows that were dropped could not
 * have reached the answer: their buckets read as truncated, which the answer already is.
 */
export function chunkOutcomes(part: StoredPart): BucketOutcome[] {
  const summary = part.summary as BucketOutcome[];
  const rows = part.rows as (BucketOutcome & { status: 'ok' })['rows'][] | undefined;
  return summary.map((outcome, index) => {
    if (outcome.status !== 'ok') return outcome;
    if (rows) return { ...outcome, rows: rows[index] ?? [] };
    return { ...outcome, truncated: outcome.truncated || outcome.totalRows > 0 };
  });
}
