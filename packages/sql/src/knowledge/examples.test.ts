import type { Example, TenantKnowledge } from '@flock/knowledge';
import { BuiltinSqlGenerator } from '../builtin/builtin-generator';
import { col, schema, table } from '../test-fixtures/schema-builder.fixture';
import { matchingExample, nearestExamples, questionKey } from './examples';

const example = (id: string, question: string, sql = `SELECT '${id}'`): Example => ({
  id,
  question,
  sql,
  source: 'admin',
  created_at: '',
  created_by: '',
});
const examples = [
  example('e1', 'Who are our best clients?'),
  example('e2', 'How many invoices were paid late in 2024?'),
  example('e3', 'Which region pays the most fees?'),
];

describe('saved examples', () => {
  it('match a question that differs only in case, punctuation, articles or inflection', () => {
    expect(questionKey('Who are our BEST clients?')).toBe(questionKey('who are our best client'));
    expect(matchingExample('who are the best clients', examples)?.id).toBeUndefined();
    expect(matchingExample('Who are our best clients', examples)?.id).toBe('e1');
    expect(matchingExample('how many invoices were paid late in 2024', examples)?.id).toBe('e2');
  });

  it('never match a question that differs in a number, a name or a word', () => {
    expect(matchingExample('How many invoices were paid late in 2023?', examples)).toBeUndefined();
    expect(matchingExample('How many invoices were not paid late in 2024?', examples)).toBeUndefined();
    expect(matchingExample('Who are our best clients in the north?', examples)).toBeUndefined();
  });

  it('tell apart questions that differ in a comparison sign, a number’s sign or words of another script', () => {
    const signs = [example('gt', 'How many invoices have an amount > 100?'), example('minus', 'Which accounts have a balance of -5?')];
    expect(matchingExample('How many invoices have an amount < 100?', signs)).toBeUndefined();
    expect(matchingExample('how many invoices have an amount > 100', signs)?.id).toBe('gt');
    expect(matchingExample('Which accounts have a balance of 5?', signs)).toBeUndefined();
    expect(questionKey('Сколько счетов в 2024?')).not.toBe(questionKey('Сколько клиентов в 2024?'));
    expect(matchingExample('2024?', [example('year', '2024')])).toBeUndefined();
    const units = [example('usd', 'How many payments over $100?'), example('pct', 'Which rates are above 5%?')];
    expect(matchingExample('How many payments over €100?', units)).toBeUndefined();
    expect(matchingExample('how many payments over $100', units)?.id).toBe('usd');
    expect(matchingExample('Which rates are above 5?', units)).toBeUndefined();
    expect(matchingExample('Top 10 clients!', [example('top', 'Top 10 clients')])?.id).toBe('top');
    // Dashes, slashes and typographic quotes are punctuation, not words.
    expect(matchingExample('“Year-end” orders', [example('ye', 'year end orders')])?.id).toBe('ye');
  });

  it('prefer the newest of two that ask the same, so a later correction wins', () => {
    expect(matchingExample('Total fees', [example('old', 'Total fees'), example('new', 'total fees?')])?.id).toBe('new');
  });

  it('rank the nearest by shared words for a prompt, leaving out those that share none', () => {
    expect(nearestExamples('Which region has the most late invoices?', examples).map((e) => e.id)).toEqual(['e3', 'e2']);
    expect(nearestExamples('Tell me a joke', examples)).toEqual([]);
  });

  it('answer the built-in engine’s question with their SQL', async () => {
    const warehouse = schema(table('clients', 5, [col('id', 'INTEGER'), col('name', 'VARCHAR')]));
    const knowledge: TenantKnowledge = { revision: 1, version: 'test.1', glossary: [], examples };
    const generated = await new BuiltinSqlGenerator().generate({
      question: 'who are our best clients',
      bucket: 'b',
      schema: warehouse,
      knowledge,
    });
    expect(generated).toMatchObject({ sql: "SELECT 'e1'", knowledge: { example_id: 'e1' } });
    // The tenant's SQL: its constants are not known small, so its plan is not kept.
    expect(generated.smallConstants).toBeUndefined();
  });
});
