import {
  columnNameOf,
  definitionProblem,
  expressionProblem,
  parsedShapeProblem,
  parseSql,
  probeSql,
  splitMeasure,
  termProblem,
  typeProblem,
} from './term-sql';

describe('a glossary term', () => {
  it.each([
    ['churned', 'churned'],
    ['Big Spender', 'bigspender'],
    ['high-value', 'highvalue'],
    ["Year's revenue", 'yearsrevenue'],
    ['Café', 'cafe'],
  ])('%s becomes the column %s', (term, column) => {
    expect(termProblem(term)).toBeUndefined();
    expect(columnNameOf(term)).toBe(column);
  });

  it.each(['', '  ', '42', 'a;b', 'x"y', 'a.b', '_x', 'доход 2024'])('%j is refused', (term) => {
    expect(termProblem(term)).toBeDefined();
  });
});

describe('a definition', () => {
  it.each(["status = 'cancelled'", "status IN ('a', 'b') AND (amount > 10 OR fee < 2)", "name = 'O''Brien (junior)'", '"odd col)" > 0'])(
    '%s is one expression',
    (sql) => {
      expect(expressionProblem(sql)).toBeUndefined();
    },
  );

  it.each([
    ['true) AS x FROM other --', /parenthesis|comments/],
    ['true; DROP TABLE t', /one expression/],
    ['a /* hidden */ = 1', /comments/],
    ["status = 'open", /unclosed quote/],
    ['(a = 1', /open/],
    ['', /empty/],
    ["status = E'\\'' OR true) AS x FROM t --'", /plain quoted strings/],
    ["x = U&'d\\0061t'", /plain quoted strings/],
    ['x = $$a$$', /"\$"/],
  ])('%j is refused', (sql, reason) => {
    expect(expressionProblem(sql)).toMatch(reason);
  });

  it('of a measure is one of sum, avg, min or max over a row expression', () => {
    expect(splitMeasure('sum(amount - fee)')).toEqual({ fn: 'sum', argument: 'amount - fee' });
    expect(splitMeasure(' AVG ( price ) ')).toEqual({ fn: 'avg', argument: 'price' });
    expect(splitMeasure("sum(amount) FILTER (WHERE status = 'paid')")).toEqual({
      fn: 'sum',
      argument: "CASE WHEN (status = 'paid') THEN (amount) END",
    });
    expect(splitMeasure('sum(a) FILTER (WHERE b) - sum(c)')).toBeUndefined();
    expect(splitMeasure('sum(a) - sum(b)')).toBeUndefined();
    expect(splitMeasure('count(*)')).toBeUndefined();
    expect(splitMeasure('sum(DISTINCT amount)')).toBeUndefined();
    expect(definitionProblem('measure', 'amount')).toMatch(/sum\(…\)/);
    expect(definitionProblem('filter', 'amount > 1')).toBeUndefined();
  });

  it('is tried by a probe that reads the row value of its table, quoted', () => {
    expect(probeSql({ kind: 'measure', sql: 'sum(amount)', table: 'order items' })).toBe(
      'SELECT typeof(flock_value) AS flock_type FROM (SELECT flock_probe.flock_one, (amount) AS flock_value ' +
        'FROM (SELECT 1 AS flock_one) AS flock_probe LEFT JOIN "order items" ON true) AS flock_row LIMIT 1',
    );
  });

  it('is checked on DuckDB’s own tree: one expression over its one table and nothing more', () => {
    expect(parseSql({ kind: 'filter', sql: "status = 'x'", table: 'customers' })).toBe(
      `SELECT json_serialize_sql('SELECT (status = ''x'') AS flock_value FROM customers') AS tree`,
    );
    const select = (node: object) =>
      JSON.stringify({
        error: false,
        statements: [
          {
            node: {
              type: 'SELECT_NODE',
              modifiers: [],
              cte_map: { map: [] },
              select_list: [{ alias: 'flock_value' }],
              from_table: { type: 'BASE_TABLE', table_name: 'customers', schema_name: '', catalog_name: '', alias: '' },
              where_clause: null,
              group_expressions: [],
              group_sets: [],
              having: null,
              sample: null,
              qualify: null,
              ...node,
            },
          },
        ],
      });
    expect(parsedShapeProblem(select({}), 'Customers')).toBeUndefined();
    expect(parsedShapeProblem(select({ type: 'SET_OPERATION_NODE' }), 'customers')).toMatch(/one expression/);
    expect(parsedShapeProblem(select({ select_list: [{ alias: 'flock_value' }, { alias: 'x' }] }), 'customers')).toMatch(/one expression/);
    expect(parsedShapeProblem(select({ where_clause: { type: 'x' } }), 'customers')).toMatch(/one expression/);
    expect(parsedShapeProblem(select({ from_table: { type: 'JOIN' } }), 'customers')).toMatch(/one expression/);
    const valued = (expression: object) => select({ select_list: [{ alias: 'flock_value', ...expression }] });
    expect(parsedShapeProblem(valued({ class: 'FUNCTION', children: [{ class: 'STAR', type: 'STAR' }] }), 'customers')).toMatch(/COLUMNS/);
    expect(parsedShapeProblem(valued({ class: 'POSITIONAL_REFERENCE' }), 'customers')).toMatch(/#n/);
    expect(parsedShapeProblem(valued({ class: 'FUNCTION', function_name: 'unnest', children: [] }), 'customers')).toMatch(/unnest/);
    expect(
      parsedShapeProblem(valued({ class: 'SUBQUERY', subquery: { node: { select_list: [{ class: 'STAR' }] } } }), 'customers'),
    ).toBeUndefined();
    expect(parsedShapeProblem(JSON.stringify({ error: true, error_message: 'Parser Error: syntax error at end of input' }), 't')).toBe(
      'it does not parse: Parser Error: syntax error at end of input',
    );
  });

  it('must have a type that suits its kind', () => {
    expect(typeProblem({ kind: 'filter', sql: 'x' }, 'BOOLEAN')).toBeUndefined();
    expect(typeProblem({ kind: 'filter', sql: 'x' }, 'VARCHAR')).toMatch(/true or false/);
    expect(typeProblem({ kind: 'measure', sql: 'sum(x)' }, 'DECIMAL(18,2)')).toBeUndefined();
    expect(typeProblem({ kind: 'measure', sql: 'avg(x)' }, 'VARCHAR')).toMatch(/needs a number/);
    expect(typeProblem({ kind: 'measure', sql: 'max(x)' }, 'DATE')).toBeUndefined();
    expect(typeProblem({ kind: 'column', sql: 'x' }, 'VARCHAR')).toBeUndefined();
  });
});
