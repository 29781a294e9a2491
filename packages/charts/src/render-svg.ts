import { None, View, loader, logger, parse } from 'vega';
import { compile } from 'vega-lite';
import { MAX_CHART_ROWS, fieldOf, type ChartSpec } from './suggest-chart';

const refuse = () => Promise.reject(new Error('A chart loads nothing: its data comes from the result.'));

/**
 * Draws a chart spec over a result's rows as a standalone SVG document, with no
 * browser: vega's headless SVG renderer, which escapes every text it writes (values
 * and column names are a tenant's data). The spec's data source is replaced by the
 * rows, and the loader refuses URLs, so a chart can read nothing else.
 * Rows beyond MAX_CHART_ROWS are refused rather than dropped, which would misdraw.
 */
export async function renderSvg(spec: ChartSpec, columns: string[], rows: unknown[][]): Promise<string> {
  if (rows.length > MAX_CHART_ROWS) throw new RangeError(`A chart draws at most ${MAX_CHART_ROWS} rows, not ${rows.length}`);
  // vega-lite 5 loses escaped fields when it sorts (`a.b` sorts as if absent), so rows are
  // drawn under plain aliases and the spec's fields renamed to match; titles still name
  // the columns.
  const aliases = new Map(columns.map((column, i) => [fieldOf(column), `flock_c${i}`]));
  const values = rows.map((row) => Object.fromEntries(columns.map((_, i) => [`flock_c${i}`, row[i] ?? null])));
  const quiet = logger(None);
  const drawn = { ...(renameFields(spec, aliases) as ChartSpec), data: { values } };
  const { spec: vega } = compile(drawn, { logger: quiet });
  const view = new View(parse(vega), {
    renderer: 'none',
    logger: quiet,
    loader: Object.assign(loader(), { load: refuse, sanitize: refuse, http: refuse, file: refuse }),
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The spec with every `field` that names a column replaced by that column's alias. */
function renameFields(node: unknown, aliases: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((item) => renameFields(item, aliases));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === 'field' && typeof value === 'string' ? (aliases.get(value) ?? value) : renameFields(value, aliases),
    ]),
  );
}
