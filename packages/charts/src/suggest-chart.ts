import type { TopLevelSpec } from 'vega-lite';

/** What a chart is drawn from: a query result as the worker stores it. */
export interface ChartableResult {
  columns: string[];
  rows: unknown[][];
  /** True when the query produced rows the result does not hold. */
  truncated?: boolean;
}

export type ChartKind = 'bar' | 'line' | 'histogram';

/**
 * A Vega-Lite spec whose data is the named source `result`: the spec carries no rows,
 * so it stays small beside the answer; renderSvg fills the source from the result.
 */
export type ChartSpec = TopLevelSpec & { usermeta: { kind: ChartKind } };

/** The name of the data source a chart spec reads; renderSvg fills it. */
export const CHART_DATA = 'result';

/** More categories than this are drawn as the top ones by the measure, and the title says so. */
export const MAX_BARS = 20;
/** Fewer values than this are not a distribution worth a histogram. */
export const MIN_HISTOGRAM_ROWS = 20;
/** Rows a chart is drawn from at most; bounds render time. The default result cap is the same. */
export const MAX_CHART_ROWS = 10_000;

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const WIDTH = 480;

// `id`, `member_id`, `memberId`: numbers that name rows, not amounts to draw. A bar per
// member sized by its id, or a histogram of ids, would look like data and mean nothing.
const isIdentifier = (column: string) => /(^|_)id$|^id_/i.test(column) || /[a-z]Id$/.test(column);

/** What the JSON values of one column are, nulls aside; `undefined` when all are null. */
type ValueKind = 'number' | 'temporal' | 'text' | 'mixed' | 'identifier';

// The warehouse writes DATE as `2024-01-02` and timestamps as ISO-8601 with a `T`;
// `2024-01` is what strftime('%Y-%m') gives for a month.
const ISO_TEMPORAL = /^\d{4}-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?$/;

/**
 * The chart that suits a result, or undefined when none does. A pure function of the
 * result's shape and the JSON types of its values, never of a dataset's tables, columns
 * or question (a column is read by name only to tell an identifier):
 *
 * - a text column and a numeric one, one row per category → bar, sorted by the measure;
 * - a date or timestamp column and a numeric one, one row per time → line;
 * - a single numeric column of many rows → histogram.
 *
 * Anything else (several measures, one value, text only, more than two columns, an
 * identifier, a truncated result whose chart would show only part of the data) gets no
 * chart: a misleading chart is worse than none.
 */
export function suggestChart(result: ChartableResult): ChartSpec | undefined {
  const { columns, rows } = result;
  if (result.truncated || rows.length < 2 || rows.length > MAX_CHART_ROWS) return undefined;
  if (rows.some((row) => !Array.isArray(row) || row.length !== columns.length)) return undefined;
  // vega 5 resolves a title or field named like an Object member (`constructor`, `toString`)
  // to that member, and fails to draw.
  if (columns.some((column) => column in Object.prototype)) return undefined;
  const kinds = columns.map((column, i) => (isIdentifier(column) ? 'identifier' : valueKind(rows, i)));

  if (columns.length === 1 && kinds[0] === 'number') return histogram(columns[0]!, rows);
  if (columns.length !== 2) return undefined;
  const measureAt = kinds.indexOf('number');
  if (measureAt < 0 || kinds.lastIndexOf('number') !== measureAt) return undefined;
  const dimensionAt = 1 - measureAt;
  // A category or time that repeats is not "one value per category": drawing it would sum or
  // overlay rows the answer kept apart.
  if (distinct(rows, dimensionAt) !== rows.length) return undefined;
  const measure = columns[measureAt]!;
  const dimension = columns[dimensionAt]!;
  if (kinds[dimensionAt] === 'text') return bar(dimension, measure, rows.length, columns);
  if (kinds[dimensionAt] === 'temporal') return line(dimension, measure, rows.length);
  return undefined;
}

function valueKind(rows: unknown[][], at: number): ValueKind | undefined {
  let kind: ValueKind | undefined;
  for (const row of rows) {
    const value = row[at];
    if (value === null || value === undefined) continue;
    const next: ValueKind =
      typeof value === 'number'
        ? 'number'
        : typeof value === 'string'
          ? ISO_TEMPORAL.test(value) && !Number.isNaN(Date.parse(value))
            ? 'temporal'
            : 'text'
          : 'mixed';
    // Text that happens to look like a date in some rows is text.
    if (kind === undefined) kind = next;
    else if (kind !== next) kind = (kind === 'temporal' || kind === 'text') && (next === 'temporal' || next === 'text') ? 'text' : 'mixed';
    if (kind === 'mixed') return kind;
  }
  return kind;
}

function distinct(rows: unknown[][], at: number): number {
  return new Set(rows.map((row) => row[at])).size;
}

/**
 * A column name as a Vega-Lite `field`: `.` and `[]` would otherwise reach into nested
 * values, and quotes and backslashes would break the access path.
 */
export function fieldOf(column: string): string {
  return column.replace(/[\\.[\]'"]/g, '\\$&');
}

function bar(category: string, measure: string, count: number, columns: string[]): ChartSpec {
  const capped = count > MAX_BARS;
  const title = capped ? `${measure} by ${category}: top ${MAX_BARS} of ${count}` : `${measure} by ${category}`;
  // A helper field named unlike any column, so it never shadows one.
  let rank = 'flock_rank';
  while (columns.includes(rank)) rank += '_';
  return {
    $schema: SCHEMA,
    usermeta: { kind: 'bar' },
    title: { text: title, limit: WIDTH },
    description: capped
      ? `Bar chart of ${measure} for the ${MAX_BARS} ${category} values with the largest ${measure}; ${count - MAX_BARS} more are not drawn.`
      : `Bar chart of ${measure} for each ${category}, largest first.`,
    data: { name: CHART_DATA },
    ...(capped
      ? {
          transform: [
            { window: [{ op: 'row_number', as: rank }], sort: [{ field: fieldOf(measure), order: 'descending' }] },
            { filter: `datum.${rank} <= ${MAX_BARS}` },
          ],
        }
      : {}),
    width: WIDTH,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      // Categories on the y axis: long names stay readable instead of overlapping.
      y: { field: fieldOf(category), type: 'nominal', sort: '-x', title: category },
      x: { field: fieldOf(measure), type: 'quantitative', title: measure },
    },
  };
}

function line(time: string, measure: string, count: number): ChartSpec {
  return {
    $schema: SCHEMA,
    usermeta: { kind: 'line' },
    title: { text: `${measure} over ${time}`, limit: WIDTH },
    description: `Line chart of ${measure} by ${time}.`,
    data: { name: CHART_DATA },
    width: WIDTH,
    height: 240,
    // Points mark each value while there are few enough to tell apart.
    mark: { type: 'line', point: count <= 60, tooltip: true },
    encoding: {
      // The warehouse writes dates as UTC; a server's local zone must not shift them. Vega's
      // default of a tick per 40 px puts weeks under a few months, most of their labels hidden.
      x: { field: fieldOf(time), type: 'temporal', scale: { type: 'utc' }, axis: { tickCount: 8 }, title: time },
      y: { field: fieldOf(measure), type: 'quantitative', title: measure },
    },
  };
}

function histogram(column: string, rows: unknown[][]): ChartSpec | undefined {
  if (rows.length < MIN_HISTOGRAM_ROWS || distinct(rows, 0) < 2) return undefined;
  return {
    $schema: SCHEMA,
    usermeta: { kind: 'histogram' },
    title: { text: `Distribution of ${column}`, limit: WIDTH },
    description: `Histogram: how many rows fall in each range of ${column}.`,
    data: { name: CHART_DATA },
    width: WIDTH,
    height: 240,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: fieldOf(column), type: 'quantitative', bin: { maxbins: 30 }, title: column },
      y: { aggregate: 'count', type: 'quantitative', title: 'Rows' },
    },
  };
}
