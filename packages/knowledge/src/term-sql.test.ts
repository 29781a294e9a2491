import { columnNameOf, definitionProblem, expressionProblem, probeSql, splitMeasure, termProblem, typeProblem } from './term-sql';

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

  it.each(['', '  ', '42', 'a;b', 'x"y', 'a.b', '_x'])('%j is refused', (term) => {
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

  it('must have a type that suits its kind', () => {
    expect(typeProblem({ kind: 'filter', sql: 'x' }, 'BOOLEAN')).toBeUndefined();
    expect(typeProblem({ kind: 'filter', sql: 'x' }, 'VARCHAR')).toMatch(/true or false/);
    expect(typeProblem({ kind: 'measure', sql: 'sum(x)' }, 'DECIMAL(18,2)')).toBeUndefined();
    expect(typeProblem({ kind: 'measure', sql: 'avg(x)' }, 'VARCHAR')).toMatch(/needs a number/);
    expect(typeProblem({ kind: 'measure', sql: 'max(x)' }, 'DATE')).toBeUndefined();
    expect(typeProblem({ kind: 'column', sql: 'x' }, 'VARCHAR')).toBeUndefined();
  });
});
