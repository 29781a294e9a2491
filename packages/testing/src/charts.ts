import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';

/** Where tests leave pictures for a person to look at; gitignored. */
export const CHART_ARTIFACTS = path.resolve(__dirname, '../../../test-artifacts/charts');

/**
 * Rasterises a chart's SVG at twice its size and writes it to CHART_ARTIFACTS/`name`.png,
 * so a person can check what the tests only count: labels readable, bars in order.
 */
export function writeChartPng(name: string, svg: string): Buffer {
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    // vega measures text as a Helvetica-like sans; Liberation Sans has those metrics.
    font: { loadSystemFonts: true, defaultFontFamily: 'Liberation Sans', sansSerifFamily: 'Liberation Sans' },
  })
    .render()
    .asPng();
  mkdirSync(CHART_ARTIFACTS, { recursive: true });
  writeFileSync(path.join(CHART_ARTIFACTS, `${name}.png`), png);
  return png;
}

/** How many marks of one kind a vega SVG draws: each bar, line or point is one path in its mark group. */
export function chartMarks(svg: string, kind: 'rect' | 'line' | 'symbol'): number {
  const group = new RegExp(`<g class="mark-${kind} role-mark[^"]*"[^>]*>(.*?)</g>`, 's').exec(svg);
  return group ? (group[1]!.match(/<path /g) ?? []).length : 0;
}

/** The y axis's labels in a vega SVG, top to bottom: a bar chart's categories in drawn order. */
export function chartYLabels(svg: string): string[] {
  const axis = /<g class="mark-text role-axis-label"[^>]*>(.*?)<\/g>/gs;
  const groups = [...svg.matchAll(axis)].map((m) => [
    ...m[1]!.matchAll(/<text [^>]*transform="translate\(([-\d.]+),([-\d.]+)\)"[^>]*>([^<]*)</g),
  ]);
  // The y axis is the one whose labels share an x and differ in y.
  const y = groups.find((labels) => labels.length > 1 && new Set(labels.map((l) => l[1])).size === 1)!;
  return y.sort((a, b) => Number(a[2]) - Number(b[2])).map((l) => l[3]!);
}
