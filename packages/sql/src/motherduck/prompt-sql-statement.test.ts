import { promptSqlStatement } from './prompt-sql-statement';

describe('promptSqlStatement', () => {
  it('binds the question and lists the tables as string literals', () => {
    expect(promptSqlStatement('How many orders?', ['orders', 'customers'])).toEqual({
      sql: "CALL prompt_sql($question, include_tables => ['orders', 'customers'])",
      values: { question: 'How many orders?' },
    });
  });

  it('never puts the question in the SQL text, whatever it holds', () => {
    const question = "it's'); DROP TABLE orders; -- \\ $question";
    const statement = promptSqlStatement(question, ['orders']);
    expect(statement.sql).toBe("CALL prompt_sql($question, include_tables => ['orders'])");
    expect(statement.values.question).toBe(question);
  });

  it('doubles quotes in table names', () => {
    expect(promptSqlStatement('q', ["o'brien", 'Mixed Case']).sql).toBe(
      "CALL prompt_sql($question, include_tables => ['o''brien', 'Mixed Case'])",
    );
  });

  it('leaves include_tables out when the schema has no tables', () => {
    expect(promptSqlStatement('q', []).sql).toBe('CALL prompt_sql($question)');
  });
});
