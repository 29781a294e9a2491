import { MAX_BARS, MAX_CHART_ROWS, MIN_HISTOGRAM_ROWS, fieldOf, suggestChart, type ChartSpec, type ChartableResult } from './suggest-chart';

const encoding = (spec: ChartSpec | undefined) => (spec as unknown as { encoding: Record<string, Record<string, unknown>> }).encoding;
/** A result from text: `of('type,n', 'a,1')`; cells that read as numbers become numbers. */
const of = (header: string, ...rows: string[]): ChartableResult => ({
  columns: header.split(','),
  rows: rows.map((row) => row.split(',').map((cell) => (cell !== '' && !Number.isNaN(Number(cell)) ? Number(cell) : cell))),
});
const result = (columns: string[], ...rows: unknown[][]): ChartableResult => ({ columns, rows });
const many = (n: number, f: (i: number) => unknown[]) => Array.from({ length: n }, (_, i) => f(i));

describe('suggestChart', () => {
  it('draws a category with a measure as bars sorted by the measure, naming the columns', () => {
    const spec = suggestChart(of('membership_type,count', 'Standard,450', 'Premium,120', 'Student,80'));
    expect(spec).toMatchObject({ usermeta: { kind: 'bar' }, data: { name: 'result' }, mark: { type: 'bar' } });
    expect(encoding(spec)).toEqual({
      y: { field: 'membership_type', type: 'nominal', sort: '-x', title: 'membership_type' },
      x: { field: 'count', type: 'quantitative', title: 'count' },
    });
    expect(spec).not.toHaveProperty('transform');
    // The spec carries no rows: they stay in the result.
    expect(JSON.stringify(spec)).not.toMatch(/Standard|450/);
  });

  it('finds the measure whichever column it is in', () => {
    const spec = suggestChart({
      columns: ['total', 'currency'],
      rows: [
        [10.5, 'EUR'],
        [3, 'USD'],
      ],
    });
    expect(encoding(spec)).toMatchObject({ y: { field: 'currency' }, x: { field: 'total' } });
  });

  it(`draws the top ${MAX_BARS} of many categories and says so in the title and description`, () => {
    const rows = many(57, (i) => [`category ${i}`, i]);
    const spec = suggestChart({ columns: ['name', 'n'], rows }) as ChartSpec & { title: { text: string }; description: string };
    expect(spec.title.text).toBe(`n by name: top ${MAX_BARS} of 57`);
    expect(spec.description).toMatch(/37 more are not drawn/);
    expect(spec).toMatchObject({
      transform: [
        { window: [{ op: 'row_number', as: 'flock_rank' }], sort: [{ field: 'n', order: 'descending' }] },
        { filter: `datum.flock_rank <= ${MAX_BARS}` },
      ],
    });
  });

  it('names its rank field unlike any column', () => {
    const rows = many(30, (i) => [`c${i}`, i]);
    const spec = suggestChart({ columns: ['flock_rank', 'n'], rows });
    expect(spec).toMatchObject({ transform: [{ window: [{ as: 'flock_rank_' }] }, { filter: `datum.flock_rank_ <= ${MAX_BARS}` }] });
  });

  it.each([
    ['DATE values', ['2024-01-01', '2024-02-01', '2024-03-01']],
    ['timestamps', ['2024-01-01T10:00:00', '2024-01-01T11:00:00+00:00', '2024-01-01T12:00:00.5Z']],
    ['months', ['2024-01', '2024-02', '2024-03']],
  ])('draws %s with a measure as a line over UTC time', (_, times) => {
    const spec = suggestChart({ columns: ['month', 'revenue'], rows: times.map((t, i) => [t, i * 10]) });
    expect(spec).toMatchObject({ usermeta: { kind: 'line' }, mark: { type: 'line', point: true } });
    expect(encoding(spec)).toEqual({
      x: { field: 'month', type: 'temporal', scale: { type: 'utc' }, axis: { tickCount: 8 }, title: 'month' },
      y: { field: 'revenue', type: 'quantitative', title: 'revenue' },
    });
  });

  it('draws one numeric column of many rows as a binned histogram', () => {
    const spec = suggestChart({ columns: ['amount'], rows: many(MIN_HISTOGRAM_ROWS, (i) => [i % 7]) });
    expect(spec).toMatchObject({ usermeta: { kind: 'histogram' }, mark: { type: 'bar' } });
    expect(encoding(spec)).toEqual({
      x: { field: 'amount', type: 'quantitative', bin: { maxbins: 30 }, title: 'amount' },
      y: { aggregate: 'count', type: 'quantitative', title: 'Rows' },
    });
  });

  it('escapes column names Vega-Lite would read as paths, and keeps them whole in titles', () => {
    const spec = suggestChart({
      columns: [`a.b["c"]'s`, 'n\\m'],
      rows: [
        ['x', 1],
        ['y', 2],
      ],
    });
    expect(encoding(spec)).toMatchObject({
      y: { field: `a\\.b\\[\\"c\\"\\]\\'s`, title: `a.b["c"]'s` },
      x: { field: 'n\\\\m', title: 'n\\m' },
    });
    expect(fieldOf('plain_name')).toBe('plain_name');
  });

  it.each<[string, ChartableResult]>([
    ['one row, one value', of('count', '42')],
    ['one category', of('type,n', 'a,1')],
    ['no rows', of('type,n')],
    ['text only', of('first,last', 'a,b', 'c,d')],
    ['two measures', of('year,n', '2023,1', '2024,2')],
    ['three columns', of('type,status,n', 'a,x,1', 'b,y,2')],
    ['repeated categories', of('type,n', 'a,1', 'a,2', 'b,3')],
    ['repeated times', of('day,n', '2024-01-01,1', '2024-01-01,2')],
    ['a truncated result', { ...of('type,n', 'a,1', 'b,2'), truncated: true }],
    ['too few values for a histogram', { columns: ['n'], rows: many(MIN_HISTOGRAM_ROWS - 1, (i) => [i]) }],
    ['one repeated value', { columns: ['n'], rows: many(50, () => [7]) }],
    ['a text column', { columns: ['name'], rows: many(50, (i) => [`n${i}`]) }],
    ['a measure that is sometimes text', result(['type', 'n'], ['a', 1], ['b', '2'])],
    ['a measure that is all null', result(['type', 'n'], ['a', null], ['b', null])],
    ['a column named like an Object member', of('constructor,points', 'a,1', 'b,2')],
    ['a column named __proto__', of('n,__proto__', '1,a', '2,b')],
    ['a numeric id as the measure', of('name,member_id', 'Ann,1', 'Bob,2')],
    ['a camelCase id as the measure', of('name,memberId', 'Ann,1', 'Bob,2')],
    ['a histogram of ids', { columns: ['ID'], rows: many(50, (i) => [i]) }],
    ['booleans', result(['active', 'n'], [true, 1], [false, 2])],
    ['more rows than a chart draws', { columns: ['n'], rows: many(MAX_CHART_ROWS + 1, (i) => [i]) }],
  ])('suggests no chart for %s', (_, given) => {
    expect(suggestChart(given)).toBeUndefined();
  });

  it('still draws measures whose names merely end in "id"', () => {
    expect(suggestChart(of('currency,paid', 'EUR,1', 'USD,2'))).toMatchObject({ usermeta: { kind: 'bar' } });
  });

  it('reads dates mixed with other text as text, so they become categories, not a time axis', () => {
    const spec = suggestChart(of('label,n', '2024-01-01,1', 'later,2'));
    expect(spec).toMatchObject({ usermeta: { kind: 'bar' } });
  });
});
