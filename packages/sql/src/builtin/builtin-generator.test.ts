import { GenerationFailedError } from '@flock/errors';
import type { SchemaContext } from '@flock/schema';
import { BuiltinSqlGenerator, generateSql } from './builtin-generator';
import { demoSchema } from '../test-fixtures/demo-schema.fixture';
import { NL_DEV_QUESTIONS } from './test-fixtures/nl-dev-questions.fixture';

/**
 * The parts of a query that decide its answer, with table aliases and output names
 * stripped, so a generated query can be held against a differently written gold query.
 */
function essentials(sql: string) {
  const bare = sql.replace(/\b[a-z]\w*\.(?=[a-z_"])/g, '').replace(/\s+/g, ' ');
  const select = /^SELECT (.*?) FROM /i.exec(bare)?.[1] ?? '';
  const selectItems = select.split(/,(?![^(]*\))/).map((item) => item.replace(/ AS \w+$/i, '').trim());
  const tables = [...bare.matchAll(/\b(?:FROM|JOIN) (\w+)/gi)].map((m) => m[1]!).sort();
  const aggregates = [...bare.matchAll(/\b(count|sum|avg|min|max)\(([^)]*)\)/gi)].map((m) => `${m[1]!.toLowerCase()}(${m[2]})`).sort();
  const where = /\bWHERE (.*?)(?: GROUP BY | ORDER BY | LIMIT |$)/i.exec(bare)?.[1];
  const predicates = where
    ? where
        .split(/ AND /i)
        .map((p) => p.trim())
        .sort()
    : [];
  const groupText = /\bGROUP BY (.*?)(?: ORDER BY | LIMIT |$)/i.exec(bare)?.[1];
  const groupBy = groupText
    ? groupText
        .split(/,(?![^(]*\))/)
        .map((g) => g.trim())
        .map((g) => (/^\d+$/.test(g) ? (selectItems[Number(g) - 1] ?? g) : g))
        .sort()
    : [];
  const limit = /\bLIMIT (\d+)/i.exec(bare)?.[1];
  return { tables, aggregates, predicates, groupBy, limit };
}

function refusal(question: string, schema: SchemaContext = demoSchema()): GenerationFailedError {
  try {
    generateSql(question, schema);
  } catch (error) {
    if (error instanceof GenerationFailedError) return error;
    throw error;
  }
  throw new Error(`expected a refusal for ${JSON.stringify(question)}`);
}

describe('BuiltinSqlGenerator on the nl-dev question set', () => {
  const schema = demoSchema();

  describe.each(NL_DEV_QUESTIONS.filter((q) => q.gold !== null))('$id $question', ({ question, gold, sql }) => {
    it('produces the reviewed SQL', () => {
      expect(generateSql(question, schema).sql).toBe(sql);
    });

    it('has the tables, aggregates, filters, grouping and limit of the gold query', () => {
      const got = essentials(generateSql(question, schema).sql);
      const want = essentials(gold!);
      expect(got.tables).toEqual(want.tables);
      expect(got.aggregates).toEqual(want.aggregates);
      expect(got.predicates).toEqual(want.predicates);
      expect(got.groupBy).toEqual(want.groupBy);
      expect(got.limit).toEqual(want.limit);
    });
  });

  it.each(NL_DEV_QUESTIONS.filter((q) => q.gold === null))('refuses $id $question', ({ question }) => {
    expect(() => generateSql(question, schema)).toThrow(GenerationFailedError);
  });

  it('explains every answer in one sentence', () => {
    for (const q of NL_DEV_QUESTIONS.filter((x) => x.gold !== null)) {
      const { explanation } = generateSql(q.question, schema);
      expect(explanation).toMatch(/^[A-Z].*\.$/);
      expect(explanation).not.toMatch(/\. [A-Z]/);
    }
  });

  it('explains in words what the SQL does', () => {
    expect(generateSql('How many active members do we have?', schema).explanation).toBe("Counts member rows where status is 'active'.");
    expect(generateSql('What is the total paid by Premium members?', schema).explanation).toBe(
      "Sums payment.amount where member.membership_type is 'Premium'.",
    );
  });
});

describe('BuiltinSqlGenerator', () => {
  it('implements SqlGenerator asynchronously under the name builtin', async () => {
    const generator = new BuiltinSqlGenerator();
    expect(generator.name).toBe('builtin');
    await expect(
      generator.generate({ question: 'How many members do we have?', bucket: 'example', schema: demoSchema() }),
    ).resolves.toEqual({
      sql: 'SELECT count(*) AS count FROM member',
      explanation: 'Counts member rows.',
      // Its own SQL, whose constants come from the question and the schema: its plan may be kept.
      smallConstants: true,
    });
    await expect(generator.generate({ question: 'delete all payments', bucket: 'example', schema: demoSchema() })).rejects.toBeInstanceOf(
      GenerationFailedError,
    );
  });

  it('answers the same after prepare() built its indexes ahead, and prepare() leaves the schema as it was', async () => {
    const generator = new BuiltinSqlGenerator();
    const prepared = demoSchema();
    generator.prepare(prepared);
    expect(prepared).toEqual(demoSchema());
    for (const question of ['How many active members do we have?', 'How many members by type?', 'Total payments by currency for 2024']) {
      const ahead = await generator.generate({ question, bucket: 'example', schema: prepared });
      expect(ahead).toEqual(await generator.generate({ question, bucket: 'example', schema: demoSchema() }));
    }
  });

  it('is deterministic and does not change the schema it is given', () => {
    const schema = demoSchema();
    const before = JSON.stringify(schema);
    const first = generateSql('Total payments by currency for 2024', schema);
    expect(generateSql('Total payments by currency for 2024', schema)).toEqual(first);
    expect(generateSql('Total payments by currency for 2024', demoSchema())).toEqual(first);
    expect(JSON.stringify(schema)).toBe(before);
  });

  it('only ever emits one SELECT statement', () => {
    const questions = [...NL_DEV_QUESTIONS.map((q) => q.question), "How many members are from Ireland'; DROP TABLE member; --?"];
    let answered = 0;
    for (const question of questions) {
      try {
        const { sql } = generateSql(question, demoSchema());
        expect(sql).toMatch(/^SELECT /);
        expect(sql).not.toContain(';');
        answered++;
      } catch (error) {
        expect(error).toBeInstanceOf(GenerationFailedError);
      }
    }
    // Refusing everything would pass the loop above; the dev set's answerable questions must be answered.
    expect(answered).toBeGreaterThanOrEqual(NL_DEV_QUESTIONS.filter((q) => q.gold !== null).length);
  });
});

describe('refusals', () => {
  it('says why a question about nothing in the warehouse cannot be answered', () => {
    expect(refusal('Who will win the league next season?').message).toMatch(
      /none of its words match this warehouse's tables, columns or values.*attendance, event, member, payment/,
    );
  });

  it.each(['asdf qwer zxcv', 'Tell me a joke', 'What is the meaning of life?', '   ', 'How many?'])('refuses %p', (question) => {
    expect(() => generateSql(question, demoSchema())).toThrow(GenerationFailedError);
  });

  it.each([
    'Drop the payment table',
    'Mark every pending member as active',
    'give everyone a raise',
    'delete all payments',
    'UPDATE payment SET amount = 0',
  ])('refuses the write request %p as read-only', (question) => {
    expect(refusal(question).message).toMatch(/only answers read-only questions/);
  });

  it('asks for English instead of running SQL typed as a question', () => {
    expect(refusal('SELECT * FROM member').message).toMatch(/plain English/);
  });

  it('refuses instead of dropping a word that would have been a filter', () => {
    expect(refusal('How many unicorns live in Ireland?').message).toMatch(/'unicorns'/);
    expect(refusal('How many members live in Atlantis?').message).toMatch(/'Atlantis'/);
    expect(refusal('How many payments were deleted?').message).toMatch(/'deleted'/);
  });

  it('refuses computations it does not do rather than approximating them', () => {
    expect(refusal('What percentage of members are active?').message).toMatch(/percentages are not supported/);
  });

  it('refuses a value filter when the warehouse does not list the values', () => {
    // Tiny buckets have too few events for the schema reader to list their categories.
    const schema = demoSchema();
    const event = schema.tables.find((t) => t.name === 'event')!;
    delete event.columns.find((c) => c.name === 'category')!.values;
    expect(refusal('List the workshop events', schema).message).toMatch(/'workshop' is not a table, a column or a listed value/);
  });
});

describe('ambiguity', () => {
  it('asks which table a column shared by two tables belongs to', () => {
    expect(refusal('Count by status').message).toMatch(/could be about 'member' or 'payment'/);
  });

  it('uses the table the question names to settle a shared column', () => {
    expect(generateSql('Count of payments per status', demoSchema()).sql).toMatch(/FROM payment GROUP BY status/);
    expect(generateSql('Members by status', demoSchema()).sql).toMatch(/FROM member GROUP BY status/);
    expect(generateSql('What are the different payment statuses?', demoSchema()).sql).toBe(
      'SELECT DISTINCT status FROM payment ORDER BY status',
    );
  });

  it('uses the value to settle a shared column', () => {
    expect(generateSql('How many are active?', demoSchema()).sql).toBe("SELECT count(*) AS count FROM member WHERE status = 'active'");
    expect(generateSql('How many failed?', demoSchema()).sql).toBe("SELECT count(*) AS count FROM payment WHERE status = 'failed'");
  });

  it('does not take a word that is a cue for a column part', () => {
    // "first" is the earliest, not first_name; "first name" is the column.
    expect(generateSql('When did the first member join?', demoSchema()).sql).toBe('SELECT min(joined_at) AS min_joined_at FROM member');
    expect(generateSql('Members by first name', demoSchema()).sql).toMatch(/^SELECT first_name, count\(\*\)/);
  });
});

describe('more question shapes on the demo warehouse', () => {
  const cases: [string, string][] = [
    ['How many members live in Germany or France?', "SELECT count(*) AS count FROM member WHERE country IN ('Germany', 'France')"],
    ['How many members are in the United Kingdom?', "SELECT count(*) AS count FROM member WHERE country = 'United Kingdom'"],
    ['Members not from Ireland', "SELECT first_name, last_name FROM member WHERE country <> 'Ireland'"],
    ['How many attendees did not check in?', 'SELECT count(*) AS count FROM attendance WHERE NOT checked_in'],
    ['How many members joined before March 2024?', "SELECT count(*) AS count FROM member WHERE joined_at < DATE '2024-03-01'"],
    [
      'How many members joined between 2020 and 2022?',
      "SELECT count(*) AS count FROM member WHERE joined_at >= DATE '2020-01-01' AND joined_at < DATE '2023-01-01'",
    ],
    ['How many payments of at least 400?', 'SELECT count(*) AS count FROM payment WHERE amount >= 400'],
    ['How many payments of 100 or less?', 'SELECT count(*) AS count FROM payment WHERE amount <= 100'],
    ['Members joined per month', "SELECT date_trunc('month', joined_at) AS month, count(*) AS count FROM member GROUP BY 1 ORDER BY 1"],
    ['How many countries do members come from?', 'SELECT count(DISTINCT country) AS country_count FROM member'],
    ['What is the most common country?', 'SELECT country FROM member GROUP BY country ORDER BY count(*) DESC, country LIMIT 1'],
    ['Top 3 countries by number of members', 'SELECT country FROM member GROUP BY country ORDER BY count(*) DESC, country LIMIT 3'],
    ['Which status has the fewest members?', 'SELECT status FROM member GROUP BY status ORDER BY count(*), status LIMIT 1'],
    ['Show the 5 largest payments', 'SELECT * FROM payment ORDER BY amount DESC, id LIMIT 5'],
    ['Who joined first?', 'SELECT first_name, last_name FROM member ORDER BY joined_at ASC, id LIMIT 1'],
    [
      'Which year had the highest total payments?',
      'SELECT year(paid_at) AS year FROM payment GROUP BY year(paid_at) ORDER BY sum(amount) DESC, 1 LIMIT 1',
    ],
    [
      'Which member made the most payments?',
      'SELECT m.first_name, m.last_name FROM payment p JOIN member m ON p.member_id = m.id GROUP BY m.id, m.first_name, m.last_name ORDER BY count(*) DESC, m.id, m.first_name, m.last_name LIMIT 1',
    ],
    [
      'Which event had the most check-ins?',
      'SELECT e.name FROM attendance a JOIN event e ON a.event_id = e.id WHERE a.checked_in GROUP BY e.id, e.name ORDER BY count(*) DESC, e.id, e.name LIMIT 1',
    ],
    ['How many members checked in?', 'SELECT count(DISTINCT member_id) AS member_count FROM attendance WHERE checked_in'],
    ['How much was paid in 2024?', 'SELECT sum(amount) AS total_amount FROM payment WHERE year(paid_at) = 2024'],
    ['Revenue by year', 'SELECT year(paid_at) AS year, sum(amount) AS total_amount FROM payment GROUP BY 1 ORDER BY 1'],
    [
      'Total amount paid by Student members in 2024',
      "SELECT sum(p.amount) AS total_amount FROM payment p JOIN member m ON p.member_id = m.id WHERE year(p.paid_at) = 2024 AND m.membership_type = 'Student'",
    ],
    ['How many members joined last year?', 'SELECT count(*) AS count FROM member WHERE year(joined_at) = year(current_date) - 1'],
  ];

  it.each(cases)('%s', (question, sql) => {
    expect(generateSql(question, demoSchema()).sql).toBe(sql);
  });
});
