/**
 * A question about one table, in schema terms: what to show, which rows, how grouped,
 * which groups, in what order and how many. Rendering it is mechanical; every choice
 * was made by the reader, and every part of it traces back to words of the question.
 */
import type { CompareOp } from '../lexicon';
import type { ColumnEntry, TableEntry } from '../schema-index';
import { quoteIdent, quoteLiteral } from '@flock/schema';
import type { AggWord } from '../lexicon/clause-words';

export type AggFn = AggWord | 'count';

/** A column, an aggregate of one, count(*) (`fn` count, no column), or every column (neither). */
export interface Output {
  fn?: AggFn;
  column?: ColumnEntry;
  distinct?: boolean;
}

export type Literal = string | number;

export type Condition =
  | { column: ColumnEntry; op: CompareOp | '<>'; value: Literal }
  | { column: ColumnEntry; op: 'in' | 'not in'; values: Literal[] }
  | { column: ColumnEntry; op: 'between'; low: number; high: number }
  /** `at`: where the text sits in the value; anywhere by default. */
  | { column: ColumnEntry; op: 'like' | 'not like'; text: string; at?: 'start' | 'end' }
  | { column: ColumnEntry; op: 'year'; year: number; cmp: CompareOp }
  | { column: ColumnEntry; op: 'true' | 'false' };

export interface GroupCondition {
  output: Output;
  op: CompareOp;
  value: number;
}

export interface Ordering {
  output: Output;
  dir: 'ASC' | 'DESC';
}

export interface TableQuery {
  table: TableEntry;
  outputs: Output[];
  distinct: boolean;
  /** ANDed; each inner list is ORed ("8 cylinders or before 1980"). */
  where: Condition[][];
  groupBy: ColumnEntry[];
  having: GroupCondition[];
  orderBy: Ordering[];
  limit?: number;
}

export function emptyQuery(table: TableEntry): TableQuery {
  return { table, outputs: [], distinct: false, where: [], groupBy: [], having: [], orderBy: [] };
}

function literal(column: ColumnEntry, value: Literal): string {
  if (typeof value === 'number') {
    // A number typed against a text column (a year kept as text) is compared as the text it is.
    return column.isText ? quoteLiteral(String(value)) : String(value);
  }
  return quoteLiteral(value);
}

function numeric(column: ColumnEntry): string {
  // Text columns that hold numbers ("Year" VARCHAR) are compared as numbers for <, >.
  return column.isText ? `TRY_CAST(${quoteIdent(column.name)} AS DOUBLE)` : quoteIdent(column.name);
}

export function outputSql(output: Output): string {
  if (!output.fn) return output.column ? quoteIdent(output.column.name) : '*';
  if (!output.column) return 'count(*)';
  return `${output.fn}(${output.distinct ? 'DISTINCT ' : ''}${quoteIdent(output.column.name)})`;
}

function conditionSql(c: Condition): string {
  const col = quoteIdent(c.column.name);
  switch (c.op) {
    case 'in':
    case 'not in':
      return `${col} ${c.op === 'in' ? 'IN' : 'NOT IN'} (${c.values.map((v) => literal(c.column, v)).join(', ')})`;
    case 'between':
      return `${numeric(c.column)} BETWEEN ${c.low} AND ${c.high}`;
    case 'like':
    case 'not like': {
      const escaped = c.text.replace(/[%_\\]/g, (m) => `\\${m}`);
      const pattern = `${c.at === 'start' ? '' : '%'}${escaped}${c.at === 'end' ? '' : '%'}`;
      return `${col} ${c.op === 'like' ? 'ILIKE' : 'NOT ILIKE'} ${quoteLiteral(pattern)}${/[%_\\]/.test(c.text) ? " ESCAPE '\\'" : ''}`;
    }
    case 'true':
      return col;
    case 'false':
      return `NOT ${col}`;
    case 'year':
      if (c.column.isTemporal) return yearBound(col, c.cmp, c.year);
      if (c.cmp === '=') return `${col} = ${literal(c.column, c.year)}`;
      return `${numeric(c.column)} ${c.cmp} ${c.year}`;
    default: {
      const value = c.value;
      if (typeof value === 'number' && c.op !== '=' && c.op !== '<>') return `${numeric(c.column)} ${c.op} ${value}`;
      return `${col} ${c.op} ${literal(c.column, value)}`;
    }
  }
}

/** A readable name for an aggregate column: `count`, `total_amount`, `average_age`; plain columns keep theirs. */
function outputName(output: Output): string | undefined {
  if (!output.fn) return undefined;
  if (!output.column) return 'count';
  const name = output.column.name.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  if (output.fn === 'count') return `${name}_count`;
  const prefix = { sum: 'total', avg: 'average', min: 'min', max: 'max' }[output.fn];
  return name.split('_').includes(prefix) ? name : `${prefix}_${name}`;
}

/** A year bound on a date column as a date comparison, which DuckDB can prune on; "in" a year stays year(). */
function yearBound(col: string, cmp: CompareOp, year: number): string {
  const start = (y: number) => `DATE '${String(y).padStart(4, '0')}-01-01'`;
  switch (cmp) {
    case '<':
      return `${col} < ${start(year)}`;
    case '>=':
      return `${col} >= ${start(year)}`;
    case '>':
      return `${col} >= ${start(year + 1)}`;
    case '<=':
      return `${col} < ${start(year + 1)}`;
    default:
      return `year(${col}) = ${year}`;
  }
}

export function renderTableQuery(q: TableQuery): string {
  const taken = new Set(q.table.columns.map((c) => c.name.toLowerCase()));
  const aliases = new Map<string, string>();
  const select = q.outputs
    .map((o) => {
      const name = outputName(o);
      if (!name || taken.has(name)) return outputSql(o);
      taken.add(name);
      aliases.set(outputSql(o), quoteIdent(name));
      return `${outputSql(o)} AS ${quoteIdent(name)}`;
    })
    .join(', ');
  const ordered = (o: Output) => aliases.get(outputSql(o)) ?? outputSql(o);
  let sql = `SELECT ${q.distinct ? 'DISTINCT ' : ''}${select} FROM ${quoteIdent(q.table.name)}`;
  if (q.where.length > 0) {
    sql += ` WHERE ${q.where.map((group) => (group.length === 1 ? conditionSql(group[0]!) : `(${group.map(conditionSql).join(' OR ')})`)).join(' AND ')}`;
  }
  if (q.groupBy.length > 0) sql += ` GROUP BY ${q.groupBy.map((c) => quoteIdent(c.name)).join(', ')}`;
  if (q.having.length > 0) sql += ` HAVING ${q.having.map((h) => `${outputSql(h.output)} ${h.op} ${h.value}`).join(' AND ')}`;
  if (q.orderBy.length > 0) sql += ` ORDER BY ${q.orderBy.map((o) => `${ordered(o.output)}${o.dir === 'DESC' ? ' DESC' : ''}`).join(', ')}`;
  if (q.limit !== undefined) sql += ` LIMIT ${q.limit}`;
  return sql;
}

const FN_WORDS: Record<AggFn, string> = {
  avg: 'the average',
  min: 'the smallest',
  max: 'the largest',
  sum: 'the total',
  count: 'the number',
};

function describeOutput(o: Output): string {
  if (!o.fn) return o.column ? o.column.name : 'every column';
  if (!o.column) return 'the number of rows';
  return `${FN_WORDS[o.fn]} of ${o.distinct ? 'distinct ' : ''}${o.column.name}`;
}

function describeCondition(c: Condition): string {
  const name = c.column.name;
  switch (c.op) {
    case 'in':
      return `${name} is one of ${c.values.join(', ')}`;
    case 'not in':
      return `${name} is none of ${c.values.join(', ')}`;
    case 'between':
      return `${name} is between ${c.low} and ${c.high}`;
    case 'like':
      return `${name} ${c.at === 'start' ? 'starts with' : c.at === 'end' ? 'ends with' : 'contains'} '${c.text}'`;
    case 'not like':
      return `${name} does not ${c.at === 'start' ? 'start with' : c.at === 'end' ? 'end with' : 'contain'} '${c.text}'`;
    case 'true':
      return `${name} is true`;
    case 'false':
      return `${name} is false`;
    case 'year':
      return `the year of ${name} ${c.cmp === '=' ? 'is' : c.cmp} ${c.year}`;
    default:
      return `${name} ${c.op === '=' ? 'is' : c.op === '<>' ? 'is not' : c.op} ${typeof c.value === 'string' ? `'${c.value}'` : c.value}`;
  }
}

/** One sentence for `meta.explanation`, naming everything the SQL does. */
export function explainTableQuery(q: TableQuery, ignored: string[]): string {
  const where = q.where.length > 0 ? ` where ${q.where.map((g) => g.map(describeCondition).join(' or ')).join(' and ')}` : '';
  const only = q.outputs.length === 1 && q.groupBy.length === 0 && q.orderBy.length === 0 ? q.outputs[0]! : undefined;
  const unused = ignored.length > 0 ? ` (not used: ${ignored.map((w) => `'${w}'`).join(', ')})` : '';
  // The plain sentences for a single figure, as the planner words them.
  if (only?.fn === 'count' && !only.column) return `Counts ${q.table.name} rows${where}${unused}.`;
  if (only?.fn === 'count' && only.column) return `Counts distinct ${only.column.name} values of ${q.table.name}${where}${unused}.`;
  if (only?.fn && only.column) {
    const verb = ({ sum: 'Sums', avg: 'Averages', min: 'Finds the smallest', max: 'Finds the largest' } as Record<string, string>)[only.fn];
    return `${verb} ${q.table.name}.${only.column.name}${where}${unused}.`;
  }
  let text = `Shows ${q.distinct ? 'the distinct values of ' : ''}${q.outputs.map(describeOutput).join(', ')} from ${q.table.name}${where}`;
  if (q.groupBy.length > 0) text += `, for each ${q.groupBy.map((c) => c.name).join(' and ')}`;
  if (q.having.length > 0) text += ` having ${q.having.map((h) => `${describeOutput(h.output)} ${h.op} ${h.value}`).join(' and ')}`;
  if (q.orderBy.length > 0)
    text += `, ordered by ${q.orderBy.map((o) => `${describeOutput(o.output)} ${o.dir === 'ASC' ? 'ascending' : 'descending'}`).join(', ')}`;
  if (q.limit !== undefined) text += `, first ${q.limit}`;
  return `${text}${unused}.`;
}
