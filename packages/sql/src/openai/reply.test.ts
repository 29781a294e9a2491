import { GenerationFailedError } from '@flock/errors';
import { extractSql } from './reply';

describe('extractSql', () => {
  it.each([
    ['bare SQL', 'SELECT count(*) FROM member', 'SELECT count(*) FROM member'],
    ['a trailing semicolon', 'SELECT count(*) FROM member;\n', 'SELECT count(*) FROM member'],
    ['a ```sql fence', '```sql\nSELECT count(*)\nFROM member;\n```', 'SELECT count(*)\nFROM member'],
    ['a fence without a language', '```\nselect 1\n```', 'select 1'],
    [
      'prose around a fence',
      'Here is the query you asked for:\n\n```sql\nSELECT currency, sum(amount) FROM payment GROUP BY 1;\n```\n\nThis sums payments per currency.',
      'SELECT currency, sum(amount) FROM payment GROUP BY 1',
    ],
    ['leading prose without a fence', 'Sure! Here it is:\nSELECT 1 AS one', 'SELECT 1 AS one'],
    [
      'a trailing explanation paragraph',
      'SELECT status, count(*) AS members\nFROM member\nGROUP BY status;\n\nThis query counts members per status.',
      'SELECT status, count(*) AS members\nFROM member\nGROUP BY status',
    ],
    [
      'a WITH query spread over paragraphs',
      'WITH paid AS (\n  SELECT member_id FROM payment\n)\n\nSELECT count(*) FROM paid',
      'WITH paid AS (\n  SELECT member_id FROM payment\n)\n\nSELECT count(*) FROM paid',
    ],
    ['an unclosed fence', '```sql\nSELECT 1', 'SELECT 1'],
    ['inline backticks', '`SELECT 1`', 'SELECT 1'],
    ['a prose line opening with "With"', 'With the tables given, the query is:\nSELECT 1', 'SELECT 1'],
    ['a prose line opening with a statement word', 'Copy this query:\n\nSELECT 2', 'SELECT 2'],
    [
      'a WITH RECURSIVE query',
      'with recursive t(n) as (select 1 union all select n + 1 from t where n < 3) select * from t',
      'with recursive t(n) as (select 1 union all select n + 1 from t where n < 3) select * from t',
    ],
    ['a parenthesised union', '(SELECT 1) UNION ALL (SELECT 2)', '(SELECT 1) UNION ALL (SELECT 2)'],
  ])('takes the SQL out of %s', (_case, reply, sql) => {
    expect(extractSql(reply)).toBe(sql);
  });

  it.each([
    ['a write', 'DELETE FROM member', 'DELETE FROM member'],
    ['a fenced write after prose', 'I will clean up:\n```sql\nDROP TABLE member;\n```', 'DROP TABLE member'],
    ['two statements', 'SELECT 1; SELECT 2;', 'SELECT 1; SELECT 2'],
    ['a lower-case write', 'insert into member values (1)', 'insert into member values (1)'],
    ['a write after prose', 'To reset the table:\nTRUNCATE member', 'TRUNCATE member'],
  ])('hands %s on unchanged for the validator to refuse', (_case, reply, sql) => {
    expect(extractSql(reply)).toBe(sql);
  });

  const failure = (reply: string): GenerationFailedError => {
    try {
      extractSql(reply);
    } catch (error) {
      expect(error).toBeInstanceOf(GenerationFailedError);
      return error as GenerationFailedError;
    }
    throw new Error(`expected no SQL from: ${reply}`);
  };

  it.each([
    [
      'CANNOT_ANSWER: there is no table about league results',
      "The language model could not answer this from the bucket's tables: there is no table about league results",
    ],
    ['**CANNOT_ANSWER**: no forecast data', "The language model could not answer this from the bucket's tables: no forecast data"],
    ['```\nCANNOT_ANSWER: no weather table\n```', "The language model could not answer this from the bucket's tables: no weather table"],
    ['CANNOT_ANSWER', "The language model could not answer this from the bucket's tables."],
    [
      'I am sorry, but I think\nCANNOT_ANSWER: nothing about that',
      "The language model could not answer this from the bucket's tables: nothing about that",
    ],
  ])('turns the refusal marker into generation_failed: %s', (reply, message) => {
    expect(failure(reply).message).toBe(message);
  });

  it('caps a long refusal reason', () => {
    expect(failure(`CANNOT_ANSWER: ${'because '.repeat(100)}`).message.length).toBeLessThan(300);
  });

  it.each([
    ['plain prose', 'I think most members are active.'],
    ['an empty reply', '   '],
    ['a prose line that merely mentions selecting', 'You could select the members table and count them.'],
  ])('turns %s into generation_failed', (_case, reply) => {
    expect(failure(reply).message).toBe('The language model replied without SQL. Try rephrasing the question.');
  });
});
