import { chartMarks, chartYLabels, writeChartPng } from '@flock/testing';
import { renderSvg } from './render-svg';
import { MAX_BARS, MAX_CHART_ROWS, suggestChart, type ChartSpec } from './suggest-chart';

function chartFor(columns: string[], rows: unknown[][]): ChartSpec {
  const spec = suggestChart({ columns, rows });
  if (!spec) throw new Error(`no chart for ${columns.join(', ')}`);
  return spec;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('renderSvg', () => {
  it('draws a bar per category, largest first, with both axes titled, and writes a PNG', async () => {
    const rows = [
      ['Standard', 450],
      ['Student', 80],
      ['Premium', 120],
      ['Family', 95],
    ];
    const svg = await renderSvg(chartFor(['membership_type', 'count'], rows), ['membership_type', 'count'], rows);
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(chartMarks(svg, 'rect')).toBe(4);
    expect(chartYLabels(svg)).toEqual(['Standard', 'Premium', 'Family', 'Student']);
    expect(svg).toContain('>membership_type</text>');
    expect(svg).toContain('>count</text>');
    expect(svg).toContain('>count by membership_type</text>');
    const png = writeChartPng('bar', svg);
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  });

  it(`draws only the top ${MAX_BARS} bars of many categories`, async () => {
    const rows = Array.from({ length: 45 }, (_, i) => [`item ${String(i).padStart(2, '0')}`, i]);
    // A measure named like a path: the top bars are still chosen by it.
    const svg = await renderSvg(chartFor(['item', 'n.total'], rows), ['item', 'n.total'], rows);
    expect(chartMarks(svg, 'rect')).toBe(MAX_BARS);
    const labels = chartYLabels(svg);
    expect(labels[0]).toBe('item 44');
    expect(labels).toHaveLength(MAX_BARS);
    expect(labels).not.toContain('item 24');
    expect(svg).toContain(`>n.total by item: top ${MAX_BARS} of 45</text>`);
    writeChartPng('bar-capped', svg);
  });

  it('draws a time series as one line through a point per time, and writes a PNG', async () => {
    const rows = ['2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01', '2024-05-01', '2024-06-01'].map((d, i) => [
      d,
      100 + 40 * Math.sin(i),
    ]);
    const svg = await renderSvg(chartFor(['month', 'revenue'], rows), ['month', 'revenue'], rows);
    expect(chartMarks(svg, 'line')).toBe(1);
    expect(chartMarks(svg, 'symbol')).toBe(6);
    // Month ticks, read in UTC whatever the server's zone: 1 January 2024 is labelled as the year.
    expect(svg).toContain('>2024</text>');
    expect(svg).toContain('>February</text>');
    expect(svg).toContain('>revenue over month</text>');
    writeChartPng('line', svg);
  });

  it('draws one numeric column as binned bars counting rows, and writes a PNG', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => [Math.round(50 + 30 * Math.sin(i * 12.9898) * Math.cos(i))]);
    const svg = await renderSvg(chartFor(['amount'], rows), ['amount'], rows);
    const bars = chartMarks(svg, 'rect');
    expect(bars).toBeGreaterThan(3);
    expect(bars).toBeLessThanOrEqual(30);
    expect(svg).toContain('>Rows</text>');
    expect(svg).toContain('>amount</text>');
    writeChartPng('histogram', svg);
  });

  it('escapes tenant text: values and column names cannot add markup to the SVG', async () => {
    const columns = ['<script>alert(1)</script>', 'n.&"x"'];
    const rows = [
      ['<img src=x onerror=alert(1)>', 3],
      ['a & b "quoted"', 5],
    ];
    const svg = await renderSvg(chartFor(columns, rows), columns, rows);
    expect(chartMarks(svg, 'rect')).toBe(2);
    expect(svg).not.toMatch(/<script|<img|onerror=alert\(1\)>/);
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('a &amp; b');
  });

  it.each([
    ['kind', 'a.b[0]'],
    ['k.ind', "it's"],
  ])('reads columns named %s and %s, which Vega-Lite would read as paths, as the columns they are', async (...columns) => {
    const rows = [
      ['x', 1],
      ['y', 2],
    ];
    const svg = await renderSvg(chartFor(columns, rows), columns, rows);
    expect(chartMarks(svg, 'rect')).toBe(2);
    expect(chartYLabels(svg)).toEqual(['y', 'x']);
  });

  it('refuses more rows than a chart draws, rather than dropping some', async () => {
    const spec = chartFor(
      ['n'],
      Array.from({ length: 50 }, (_, i) => [i]),
    );
    const rows = Array.from({ length: MAX_CHART_ROWS + 1 }, (_, i) => [i]);
    await expect(renderSvg(spec, ['n'], rows)).rejects.toThrow(RangeError);
  });

  it('loads nothing from outside, whatever the spec asks', async () => {
    const spec = { ...chartFor(['n'], [[1], [2]].concat(Array.from({ length: 30 }, (_, i) => [i]))) };
    const withImage = { ...spec, layer: undefined, mark: { type: 'image' }, encoding: { url: { value: 'http://127.0.0.1:9/x.png' } } };
    const svg = await renderSvg(withImage as unknown as ChartSpec, ['n'], [[1]]);
    expect(svg).not.toContain('127.0.0.1');
  });
});
