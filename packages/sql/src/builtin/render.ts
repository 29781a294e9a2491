/**
 * QueryPlan → SQL text and a one-sentence explanation. The SQL is meant to be read by
 * the person who asked: bare identifiers where safe, table aliases only when a join
 * needs them, aggregate columns with names that say what they hold.
 */
import { quoteIdent, quoteLiteral } from '@flock/schema';
import type { GeneratedSql } from '../generator';
import type { TimeSpec } from './parse';
import type { GroupKey, Measure, Predicate, QueryPlan } from './query-plan';
import type { ColumnEntry, ParentLink, SchemaIndex, TableEntry } from './schema-index';

// prettier-ignore
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

class SqlWriter {
  private readonly aliases = new Map<TableEntry, string>();
  readonly links: ParentLink[] = [];

  constructor(
    readonly plan: QueryPlan,
    index: SchemaIndex,
  ) {
    const tables = tablesOf(plan);
    const paths = index.pathsFrom(plan.fact);
    for (const table of tables) {
      for (const link of paths.get(table) ?? []) if (!this.links.includes(link)) this.links.push(link);
    }
    if (this.links.length > 0) {
      const used = new Set<string>();
      this.aliases.set(plan.fact, aliasFor(plan.fact, used));
      for (const link of this.links) if (!this.aliases.has(link.parent)) this.aliases.set(link.parent, aliasFor(link.parent, used));
    }
  }

  col(column: ColumnEntry): string {
    const alias = this.aliases.get(column.table);
    return alias ? `${alias}.${quoteIdent(column.name)}` : quoteIdent(column.name);
  }

  colName(table: TableEntry, name: string): string {
    const alias = this.aliases.get(table);
    return alias ? `${alias}.${quoteIdent(name)}` : quoteIdent(name);
  }

  star(table: TableEntry): string {
    const alias = this.aliases.get(table);
    return alias ? `${alias}.*` : '*';
  }

  from(): string {
    const fact = this.plan.fact;
    const factAlias = this.aliases.get(fact);
    let sql = `FROM ${quoteIdent(fact.name)}${factAlias ? ` ${factAlias}` : ''}`;
    for (const link of this.links) {
      const on = link.childColumns
        .map((child, i) => `${this.colName(link.child, child)} = ${this.colName(link.parent, link.parentColumns[i]!)}`)
        .join(' AND ');
      sql += ` JOIN ${quoteIdent(link.parent.name)} ${this.aliases.get(link.parent)} ON ${on}`;
    }
    return sql;
  }

  where(): string {
    const conditions = this.plan.predicates.map((p) => this.predicate(p));
    return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  }

  predicate(p: Predicate): string {
    const col = this.col(p.column);
    switch (p.type) {
      case 'in': {
        if (p.values.length === 1) return `${col} ${p.negated ? '<>' : '='} ${quoteLiteral(p.values[0]!)}`;
        return `${col} ${p.negated ? 'NOT IN' : 'IN'} (${p.values.map(quoteLiteral).join(', ')})`;
      }
      case 'bool':
        return p.negated ? `NOT ${col}` : col;
      case 'compare':
        return `${col} ${p.op} ${numberText(p.value)}`;
      case 'range':
        return `${col} BETWEEN ${numberText(p.low)} AND ${numberText(p.high)}`;
      case 'time':
        return timeCondition(col, p.column, p.time);
    }
  }

  measure(m: Measure): { expr: string; alias: string } {
    switch (m.fn) {
      case 'count':
        return { expr: 'count(*)', alias: 'count' };
      case 'count-distinct': {
        const cols = m.columns.map((c) => this.col(c));
        const expr = cols.length === 1 ? `count(DISTINCT ${cols[0]})` : `count(DISTINCT (${cols.join(', ')}))`;
        const first = m.columns[0]!;
        const parent = first.table.parents.find((l) => l.childColumns.includes(first.name))?.parent;
        return { expr, alias: `${parent ? parent.name : first.name}_count` };
      }
      default: {
        const prefix = { sum: 'total', avg: 'average', min: 'min', max: 'max' }[m.fn];
        // A column already called `total` stays `total`, not `total_total`.
        const alias = m.column.name.toLowerCase().split('_').includes(prefix) ? m.column.name : `${prefix}_${m.column.name}`;
        return { expr: `${m.fn}(${this.col(m.column)})`, alias };
      }
    }
  }

  group(g: GroupKey): { select: string[]; key: string[]; grain: boolean } {
    switch (g.type) {
      case 'column':
        return { select: [this.col(g.column)], key: [this.col(g.column)], grain: false };
      case 'grain': {
        const expr = grainExpr(this.col(g.column), g.column, g.unit);
        return { select: [`${expr} AS ${g.unit}`], key: [expr], grain: true };
      }
      case 'entity': {
        const key = g.table.key.map((c) => this.col(c));
        const labels = g.table.labels.map((c) => this.col(c));
        return { select: labels.length > 0 ? labels : key, key: [...key, ...labels.filter((l) => !key.includes(l))], grain: false };
      }
    }
  }
}

function tablesOf(plan: QueryPlan): Set<TableEntry> {
  const tables = new Set<TableEntry>([plan.fact]);
  const m = plan.measure;
  if (m && m.fn === 'count-distinct') for (const c of m.columns) tables.add(c.table);
  else if (m && m.fn !== 'count') tables.add(m.column.table);
  for (const g of plan.groups) tables.add(g.type === 'entity' ? g.table : g.column.table);
  for (const p of plan.predicates) tables.add(p.column.table);
  if (plan.show) tables.add(plan.show.table);
  if (plan.orderBy) tables.add(plan.orderBy.table);
  return tables;
}

function aliasFor(table: TableEntry, used: Set<string>): string {
  const words = table.name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => /^[a-z]/.test(w));
  const initials = words.map((w) => w[0]).join('') || 't';
  const candidates = [initials, words[0]?.slice(0, 2) ?? 't', words[0]?.slice(0, 3) ?? 't'];
  for (const candidate of candidates) {
    if (!used.has(candidate) && quoteIdent(candidate) === candidate) {
      used.add(candidate);
      return candidate;
    }
  }
  for (let n = 2; ; n++) {
    const candidate = `${initials}${n}`;
    if (!used.has(candidate) && quoteIdent(candidate) === candidate) {
      used.add(candidate);
      return candidate;
    }
  }
}

function numberText(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}

function dateLiteral(date: string): string {
  return `DATE ${quoteLiteral(date)}`;
}

function timeCondition(col: string, column: ColumnEntry, time: TimeSpec): string {
  switch (time.t) {
    case 'year':
      return time.month === undefined ? `year(${col}) = ${time.year}` : `year(${col}) = ${time.year} AND month(${col}) = ${time.month}`;
    case 'month':
      return `month(${col}) = ${time.month}`;
    case 'cmp':
      // A timestamp "on" a day means anywhere within that day.
      if (time.op === '=' && column.kind === 'timestamp') return `CAST(${col} AS DATE) = ${dateLiteral(time.date)}`;
      return `${col} ${time.op} ${dateLiteral(time.date)}`;
    case 'range':
      return `${col} >= ${dateLiteral(time.from)} AND ${col} < ${dateLiteral(time.to)}`;
    case 'relative': {
      if (time.unit === 'year') {
        return time.offset === 0 ? `year(${col}) = year(current_date)` : `year(${col}) = year(current_date) - ${-time.offset}`;
      }
      const current = `date_trunc('month', current_date)`;
      return time.offset === 0
        ? `date_trunc('month', ${col}) = ${current}`
        : `date_trunc('month', ${col}) = ${current} - INTERVAL ${-time.offset} MONTH`;
    }
  }
}

function grainExpr(col: string, column: ColumnEntry, unit: string): string {
  if (unit === 'year') return `year(${col})`;
  if (unit === 'day') return column.kind === 'date' ? col : `CAST(${col} AS DATE)`;
  return `date_trunc('${unit}', ${col})`;
}

function aliasText(alias: string): string {
  return quoteIdent(alias.toLowerCase().replace(/[^a-z0-9_]+/g, '_'));
}

export function render(plan: QueryPlan, index: SchemaIndex): GeneratedSql {
  const w = new SqlWriter(plan, index);
  const sql = renderSql(w, plan);
  return { sql, explanation: explain(plan) };
}

function renderSql(w: SqlWriter, plan: QueryPlan): string {
  const from = w.from();
  const where = w.where();
  switch (plan.shape) {
    case 'aggregate': {
      const m = w.measure(plan.measure ?? { fn: 'count' });
      const measure = `${m.expr} AS ${aliasText(m.alias)}`;
      if (plan.groups.length === 0) return `SELECT ${measure} ${from}${where}`;
      const groups = plan.groups.map((g) => w.group(g));
      const select = groups.flatMap((g) => g.select);
      if (groups.some((g) => g.grain)) {
        const ordinals = select.map((_, i) => String(i + 1)).join(', ');
        return `SELECT ${select.join(', ')}, ${measure} ${from}${where} GROUP BY ${ordinals} ORDER BY ${ordinals}`;
      }
      const keys = groups.flatMap((g) => g.key);
      return `SELECT ${select.join(', ')}, ${measure} ${from}${where} GROUP BY ${keys.join(', ')} ORDER BY ${aliasText(m.alias)} DESC, ${select.join(', ')}`;
    }
    case 'rank-groups': {
      const m = w.measure(plan.measure ?? { fn: 'count' });
      const groups = plan.groups.map((g) => w.group(g));
      const select = groups.flatMap((g) => g.select);
      const keys = groups.flatMap((g) => g.key);
      const tieBreak = groups.some((g) => g.grain) ? select.map((_, i) => String(i + 1)) : keys;
      return `SELECT ${select.join(', ')} ${from}${where} GROUP BY ${keys.join(', ')} ORDER BY ${m.expr} ${plan.direction ?? 'DESC'}, ${tieBreak.join(', ')} LIMIT ${plan.limit ?? 1}`;
    }
    case 'rank-rows': {
      const show = plan.show!;
      const select = show.columns.length > 0 ? show.columns.map((c) => w.col(c)).join(', ') : w.star(show.table);
      const order = [`${w.col(plan.orderBy!)} ${plan.direction ?? 'DESC'}`, ...plan.fact.key.map((c) => w.col(c))];
      return `SELECT ${select} ${from}${where} ORDER BY ${order.join(', ')} LIMIT ${plan.limit ?? 1}`;
    }
    case 'distinct': {
      const show = plan.show!;
      const cols = show.columns.map((c) => w.col(c)).join(', ');
      return `SELECT DISTINCT ${cols} ${from}${where} ORDER BY ${cols}`;
    }
    case 'list': {
      const show = plan.show!;
      if (show.table !== plan.fact) {
        // Parent rows found through a child: each parent once, with its key so namesakes stay apart.
        const cols = [...show.table.key, ...show.columns.filter((c) => !show.table.key.includes(c))].map((c) => w.col(c));
        const select = cols.length > 0 ? cols.join(', ') : w.star(show.table);
        return `SELECT DISTINCT ${select} ${from}${where}`;
      }
      const select = show.columns.length > 0 ? show.columns.map((c) => w.col(c)).join(', ') : w.star(show.table);
      return `SELECT ${select} ${from}${where}`;
    }
  }
}

// ---------------------------------------------------------------------------------
// Explanation
// ---------------------------------------------------------------------------------

/** Values in prose are quoted for reading, not escaped for SQL. */
function quoted(value: string): string {
  return `'${value}'`;
}

/** A column as prose: bare on the fact table, qualified when it comes through a join. */
function columnName(column: ColumnEntry, fact: TableEntry): string {
  return column.table === fact ? column.name : `${column.table.name}.${column.name}`;
}

function describePredicate(p: Predicate, fact: TableEntry): string {
  const name = columnName(p.column, fact);
  switch (p.type) {
    case 'in':
      if (p.values.length === 1) return `${name} is ${p.negated ? 'not ' : ''}${quoted(p.values[0]!)}`;
      return `${name} is ${p.negated ? 'none' : 'one'} of ${p.values.map(quoted).join(', ')}`;
    case 'bool':
      return `${name} is ${p.negated ? 'false' : 'true'}`;
    case 'compare': {
      const words = { '>': 'more than', '>=': 'at least', '<': 'less than', '<=': 'at most', '=': 'exactly' }[p.op];
      return `${name} is ${words} ${numberText(p.value)}`;
    }
    case 'range':
      return `${name} is between ${numberText(p.low)} and ${numberText(p.high)}`;
    case 'time': {
      const t = p.time;
      switch (t.t) {
        case 'year':
          return `${name} is in ${t.month !== undefined ? `${MONTH_NAMES[t.month - 1]} ` : ''}${t.year}`;
        case 'month':
          return `${name} is in ${MONTH_NAMES[t.month - 1]}`;
        case 'cmp': {
          const words = { '>': 'after', '>=': 'on or after', '<': 'before', '<=': 'on or before', '=': 'on' }[t.op];
          return `${name} is ${words} ${t.date}`;
        }
        case 'range':
          return `${name} is from ${t.from} up to (not including) ${t.to}`;
        case 'relative':
          return `${name} is in ${t.offset === 0 ? 'this' : 'the previous'} ${t.unit}`;
      }
    }
  }
}

function describeMeasure(m: Measure | undefined, fact: TableEntry): string {
  if (!m || m.fn === 'count') return `Counts ${fact.name} rows`;
  switch (m.fn) {
    case 'count-distinct': {
      const first = m.columns[0]!;
      const parent = first.table.parents.find((l) => l.childColumns.includes(first.name))?.parent;
      return parent
        ? `Counts distinct ${parent.name} rows with matching ${fact.name} rows`
        : `Counts distinct ${first.name} values of ${fact.name}`;
    }
    case 'sum':
      return `Sums ${m.column.table.name}.${m.column.name}`;
    case 'avg':
      return `Averages ${m.column.table.name}.${m.column.name}`;
    case 'min':
      return `Finds the ${m.column.isTemporal ? 'earliest' : 'smallest'} ${m.column.table.name}.${m.column.name}`;
    case 'max':
      return `Finds the ${m.column.isTemporal ? 'latest' : 'largest'} ${m.column.table.name}.${m.column.name}`;
  }
}

function describeGroup(g: GroupKey, fact: TableEntry): string {
  if (g.type === 'column') return columnName(g.column, fact);
  if (g.type === 'grain') return `${g.unit} of ${columnName(g.column, fact)}`;
  return g.table.name;
}

function rankMeasureWords(m: Measure | undefined, fact: TableEntry, dir: 'ASC' | 'DESC'): string {
  const most = dir === 'DESC';
  if (!m || m.fn === 'count') return `the ${most ? 'most' : 'fewest'} ${fact.name} rows`;
  if (m.fn === 'count-distinct') return `the ${most ? 'most' : 'fewest'} distinct values`;
  const what = `${m.column.table.name}.${m.column.name}`;
  const fnWords = { sum: 'total', avg: 'average', min: 'minimum', max: 'maximum' }[m.fn];
  return `the ${most ? 'highest' : 'lowest'} ${fnWords} ${what}`;
}

export function explain(plan: QueryPlan): string {
  const where = plan.predicates.length > 0 ? ` where ${plan.predicates.map((p) => describePredicate(p, plan.fact)).join(' and ')}` : '';
  const groups = plan.groups.map((g) => describeGroup(g, plan.fact)).join(' and ');
  switch (plan.shape) {
    case 'aggregate':
      return `${describeMeasure(plan.measure, plan.fact)}${where}${groups ? `${where ? ',' : ''} per ${groups}` : ''}.`;
    case 'rank-groups': {
      const n = plan.limit ?? 1;
      return `Finds the ${n > 1 ? `${n} ` : ''}${groups} ${n > 1 ? 'values' : 'value'} with ${rankMeasureWords(plan.measure, plan.fact, plan.direction ?? 'DESC')}${where ? `, counting only rows${where}` : ''}.`;
    }
    case 'rank-rows': {
      const n = plan.limit ?? 1;
      const order = plan.orderBy!;
      const extreme = plan.direction === 'ASC' ? (order.isTemporal ? 'earliest' : 'lowest') : order.isTemporal ? 'latest' : 'highest';
      return `Lists the ${n > 1 ? `${n} ` : ''}${plan.fact.name} ${n > 1 ? 'rows' : 'row'} with the ${extreme} ${order.name}${where ? `, among rows${where}` : ''}.`;
    }
    case 'distinct':
      return `Lists the distinct values of ${plan.show!.table.name}.${plan.show!.columns.map((c) => c.name).join(', ')}${where ? ` for rows${where}` : ''}.`;
    case 'list': {
      const show = plan.show!;
      const cols = show.columns.length > 0 ? show.columns.map((c) => c.name).join(', ') : 'all columns';
      return `Lists ${cols} of ${show.table.name}${show.table !== plan.fact ? ` rows that have ${plan.fact.name} rows` : ' rows'}${where ? `${show.table !== plan.fact ? ' ' : ''}${where}` : ''}.`;
    }
  }
}
