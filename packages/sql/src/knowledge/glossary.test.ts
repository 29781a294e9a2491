import type { GlossaryTerm, TenantKnowledge } from '@flock/knowledge';
import { BuiltinSqlGenerator } from '../builtin/builtin-generator';
import { col, schema, table } from '../test-fixtures/schema-builder.fixture';
import { mentionedTerms, viewWithGlossary, withGlossaryColumns } from './glossary';

/** A hand-built warehouse that no rule of the engine knows: the glossary's words are all it learns. */
const warehouse = schema(
  table(
    'clients',
    500,
    [
      col('id', 'INTEGER'),
      col('name', 'VARCHAR'),
      col('state', 'VARCHAR', ['open', 'closed', 'paused']),
      col('region', 'VARCHAR', ['north', 'south']),
    ],
    {
      primaryKey: ['id'],
    },
  ),
  table(
    'invoices',
    5000,
    [
      col('id', 'INTEGER'),
      col('client_id', 'INTEGER'),
      col('amount', 'DECIMAL(10,2)'),
      col('fee', 'DECIMAL(10,2)'),
      col('issued_on', 'DATE'),
    ],
    { primaryKey: ['id'], foreignKeys: [['client_id', 'clients', 'id']] },
  ),
);
const term = (name: string, tableName: string, kind: GlossaryTerm['kind'], sql: string, type = 'BOOLEAN'): GlossaryTerm => ({
  term: name,
  table: tableName,
  kind,
  sql,
  type,
  created_at: '',
  created_by: '',
});
const glossary = [
  term('churned', 'clients', 'filter', "state = 'closed'"),
  term('revenue', 'invoices', 'measure', 'sum(amount - fee)', 'DECIMAL(11,2)'),
  term('big spender', 'clients', 'filter', 'id IN (SELECT client_id FROM invoices WHERE amount > 1000)'),
];
const knowledge: TenantKnowledge = { revision: 3, version: 'test.3', glossary, examples: [] };
const engine = new BuiltinSqlGenerator();
const generate = (question: string, withKnowledge = true) =>
  engine.generate({ question, bucket: 'b', schema: warehouse, ...(withKnowledge ? { knowledge } : {}) });

describe('the built-in engine with a glossary', () => {
  it.each([
    [
      'How many churned clients are there?',
      "WITH clients AS (SELECT *, (state = 'closed') AS churned FROM clients) SELECT count(*) AS count FROM clients WHERE churned",
    ],
    [
      'How many clients are not churned?',
      "WITH clients AS (SELECT *, (state = 'closed') AS churned FROM clients) SELECT count(*) AS count FROM clients WHERE NOT churned",
    ],
    [
      'How many invoices do churned clients have?',
      "WITH clients AS (SELECT *, (state = 'closed') AS churned FROM clients) SELECT count(*) AS count FROM invoices i JOIN clients c ON i.client_id = c.id WHERE c.churned",
    ],
    [
      'Total revenue per month',
      "WITH invoices AS (SELECT *, (amount - fee) AS revenue FROM invoices) SELECT date_trunc('month', issued_on) AS month, sum(revenue) AS total_revenue FROM invoices GROUP BY 1 ORDER BY 1",
    ],
    [
      'List the big spenders',
      'WITH clients AS (SELECT *, (id IN (SELECT client_id FROM invoices WHERE amount > 1000)) AS bigspender FROM clients) SELECT name FROM clients WHERE bigspender',
    ],
  ])('answers %j, which it refuses or reads otherwise without it', async (question, sql) => {
    const without = await generate(question, false).then(
      (generated) => generated.sql,
      () => 'refused',
    );
    const generated = await generate(question);
    expect(generated.sql).toBe(sql);
    expect(without).not.toBe(sql);
    expect(generated.knowledge?.terms?.length).toBeGreaterThan(0);
    // The term's SQL is the tenant's: its constants are not known small, so its plan is not kept.
    expect(generated.smallConstants).toBe(false);
  });

  it('says the aggregate of a measure the question left unsaid, and only then', () => {
    const view = (question: string) => viewWithGlossary(question, warehouse, glossary).question;
    expect(view('revenue by region')).toBe('total revenue by region');
    expect(view('Which region has the highest revenue?')).toBe('Which region has the highest total revenue?');
    expect(view('total revenue by region')).toBe('total revenue by region');
    expect(view('average revenue per client')).toBe('average revenue per client');
    expect(view('What is the revenue overall?')).toBe('What is the total revenue overall?');
    expect(view('revenue over time')).toBe('revenue over time');
    expect(view('How many churned clients?')).toBe('How many churned clients?');
    // Compared with a number, or ranked by a verb, it is each row's value.
    expect(view('How many invoices have revenue above 50?')).toBe('How many invoices have revenue above 50?');
    expect(view('List invoices where revenue is below 10')).toBe('List invoices where revenue is below 10');
  });

  it('compares a measure’s row value where the question compares it, never its total', async () => {
    const { sql } = await generate('How many invoices have revenue above 50?');
    expect(sql).toBe(
      'WITH invoices AS (SELECT *, (amount - fee) AS revenue FROM invoices) SELECT count(*) AS count FROM invoices WHERE revenue > 50',
    );
  });

  it('does not take a name in a string literal or a function call for a use of the term', () => {
    const view = viewWithGlossary('q', warehouse, [
      term('north', 'invoices', 'filter', 'fee > 0'),
      term('count', 'clients', 'column', 'id', 'INTEGER'),
    ]);
    expect(withGlossaryColumns("SELECT count(*) FROM clients WHERE region = 'north'", view)).toEqual({
      sql: "SELECT count(*) FROM clients WHERE region = 'north'",
      terms: [],
    });
  });

  it('reads a phrase term only as its whole phrase, never by one of its words', async () => {
    const noShow = term('no show', 'invoices', 'filter', 'fee = 0');
    const withNoShow: TenantKnowledge = { revision: 1, version: 'test.1', glossary: [noShow], examples: [] };
    const ask = (question: string) => engine.generate({ question, bucket: 'b', schema: warehouse, knowledge: withNoShow });
    expect((await ask('Show the 5 invoices with the biggest amount')).knowledge).toBeUndefined();
    expect((await ask('How many no-shows are there?')).sql).toBe(
      'WITH invoices AS (SELECT *, (fee = 0) AS noshow FROM invoices) SELECT count(*) AS count FROM invoices WHERE noshow',
    );
  });

  it('uses both terms a question names, in one CTE per table', async () => {
    const { sql, knowledge: used } = await generate('What is the revenue of churned clients?');
    expect(sql).toBe(
      "WITH clients AS (SELECT *, (state = 'closed') AS churned FROM clients), invoices AS (SELECT *, (amount - fee) AS revenue FROM invoices) " +
        'SELECT sum(i.revenue) AS total_revenue FROM invoices i JOIN clients c ON i.client_id = c.id WHERE c.churned',
    );
    expect(used).toEqual({ terms: ['churned', 'revenue'] });
  });

  it('adds nothing to SQL that uses no term, and joins its CTEs to one of the SQL’s own', () => {
    const view = viewWithGlossary('q', warehouse, glossary);
    expect(withGlossaryColumns('SELECT count(*) FROM clients', view)).toEqual({ sql: 'SELECT count(*) FROM clients', terms: [] });
    expect(withGlossaryColumns('WITH x AS (SELECT churned FROM clients) SELECT * FROM x', view).sql).toBe(
      "WITH clients AS (SELECT *, (state = 'closed') AS churned FROM clients), x AS (SELECT churned FROM clients) SELECT * FROM x",
    );
  });

  it('leaves out a term whose table is gone or whose name a column now has: the warehouse wins', () => {
    const view = viewWithGlossary('q', warehouse, [
      term('state', 'clients', 'column', 'upper(state)', 'VARCHAR'),
      term('lapsed', 'gone', 'filter', 'true'),
    ]);
    expect(view.columns).toEqual([]);
    expect(view.schema.tables.map((t) => t.columns.length)).toEqual([4, 5]);
  });

  it('keeps one view per schema and glossary, so the engine’s indexes are built once', () => {
    expect(viewWithGlossary('a', warehouse, glossary).schema).toBe(viewWithGlossary('b', warehouse, glossary).schema);
    expect(viewWithGlossary('a', warehouse, glossary).schema).not.toBe(viewWithGlossary('a', warehouse, [...glossary]).schema);
  });

  it('reads a phrase with a plural inside it, and never lets the term stand in as a default column', async () => {
    const kind = term('type of client', 'clients', 'column', 'upper(state)', 'VARCHAR');
    const net = term('net amount', 'invoices', 'column', 'amount - fee', 'DECIMAL(11,2)');
    const knowledgeOf = (...terms: GlossaryTerm[]): TenantKnowledge => ({ revision: 1, version: 'test.1', glossary: terms, examples: [] });
    const ask = (question: string, k: TenantKnowledge) => engine.generate({ question, bucket: 'b', schema: warehouse, knowledge: k });
    expect((await ask('How many clients by types of client?', knowledgeOf(kind))).knowledge).toEqual({ terms: ['type of client'] });
    // Nor by a word that begins its run-together name: "released" is not "release date".
    const records = schema(
      table('records', 50, [col('id', 'INTEGER'), col('title', 'VARCHAR'), col('record_date', 'DATE')], { primaryKey: ['id'] }),
    );
    const releaseDate = term('release date', 'records', 'column', 'record_date', 'DATE');
    const released = (k: TenantKnowledge) =>
      engine.generate({ question: 'How many records are released?', bucket: 'b', schema: records, knowledge: k });
    expect((await released(knowledgeOf(releaseDate))).sql).toBe('SELECT count(*) AS count FROM records');
    // Without naming it, "the biggest invoices" still ranks by the table's own measure.
    const plain = await ask('Show the 3 biggest invoices', knowledgeOf());
    expect((await ask('Show the 3 biggest invoices', knowledgeOf(net))).sql).toBe(plain.sql);
  });

  it('finds the terms a question mentions, in any inflection', () => {
    expect(mentionedTerms('List our Big Spenders and churned ones', glossary).map((t) => t.term)).toEqual(['churned', 'big spender']);
    expect(mentionedTerms('How many clients?', glossary)).toEqual([]);
  });
});
