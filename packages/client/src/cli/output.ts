import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';

export type Format = 'table' | 'json' | 'csv';

/** Columns and rows as the API returns them. */
export interface Grid {
  columns: string[];
  rows: unknown[][];
}

const PLAIN = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: ' │ ',
};

/** A cell as a person reads it: NULL spelled out, nested values as JSON. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** An aligned table, numbers to the right, a rule under the header (psql's look, without colour). */
export function renderTable(grid: Grid): string {
  const table = new Table({ head: grid.columns, chars: PLAIN, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  for (const row of grid.rows) {
    table.push(
      row.map((value) => ({ content: cellText(value), hAlign: typeof value === 'number' || typeof value === 'bigint' ? 'right' : 'left' })),
    );
  }
  const [header = '', ...lines] = table.toString().split('\n');
  const rule = header.replace(/[^│]/g, '─').replace(/─│─/g, '─┼─');
  return [header, rule, ...lines].map((line) => line.trimEnd()).join('\n');
}

/** RFC 4180 CSV with a header row; nested values as JSON, NULL as an empty field. */
export function renderCsv(grid: Grid): string {
  const rows = grid.rows.map((row) => row.map((value) => (value !== null && typeof value === 'object' ? JSON.stringify(value) : value)));
  return stringify([grid.columns, ...rows]);
}

export function renderJson(body: unknown): string {
  return JSON.stringify(body, null, 2);
}

/** The grid in the chosen format; `json` prints the whole body the API sent, meta included. */
export function renderGrid(grid: Grid, format: Format, body: unknown): string {
  if (format === 'json') return renderJson(body);
  if (format === 'csv') return renderCsv(grid).trimEnd();
  const count = `(${grid.rows.length} ${grid.rows.length === 1 ? 'row' : 'rows'})`;
  return grid.columns.length === 0 ? count : `${renderTable(grid)}\n${count}`;
}
