import { GenerationFailedError } from '@flock/errors';
import {
  PROMPT_SQL,
  TEST_MOTHERDUCK_TOKEN,
  hangingMotherDuckStandIn,
  rejectionOf,
  unreachableMotherDuckStandIn,
  useMotherDuckStandIns,
  withFrozenDate,
} from '@flock/testing';
import type { SchemaContext } from '@flock/schema';
import { MotherDuckSqlGenerator, type MotherDuckSqlGeneratorOptions } from './motherduck-generator';

function schemaOf(...tables: string[]): SchemaContext {
  return { tables: tables.map((name) => ({ name, rowCount: 0, columns: [], primaryKey: [], foreignKeys: [] })) };
}

interface Echo {
  question: string;
  include_tables: string[] | null;
  database: string;
}

/** What the stand-in's echoing prompt_sql was called with. */
function echoed(sql: string): Echo {
  return JSON.parse(sql) as Echo;
}

const generationError = (promise: Promise<unknown>) => rejectionOf(promise, GenerationFailedError);

describe('MotherDuckSqlGenerator against a local DuckDB stand-in for MotherDuck', () => {
  const motherDuck = useMotherDuckStandIns();

  function setup(promptSql?: string, options: Partial<MotherDuckSqlGeneratorOptions> = {}) {
    const standIn = motherDuck({
      databases: {
        sales: ['CREATE TABLE orders (id INTEGER)', 'INSERT INTO orders VALUES (1), (2)'],
        acme_prod: [],
        'acme-eu': [],
        Analytics: [],
        select: [],
      },
      promptSql,
    });
    const generator = new MotherDuckSqlGenerator({
      connector: standIn,
      databases: { acme: 'acme_prod', stats: 'Analytics', kw: 'select' },
      ...options,
    });
    return { standIn, generator };
  }

  it('calls prompt_sql in the bucket database with the schema tables, and returns its query', async () => {
    const { generator } = setup();
    const generated = await generator.generate({ question: 'How many orders?', bucket: 'sales', schema: schemaOf('orders', 'customers') });
    expect(echoed(generated.sql)).toEqual({ question: 'How many orders?', include_tables: ['orders', 'customers'], database: 'sales' });
  });

  it("adds the tenant's definitions of the question's words and its nearest examples to the question, prompt_sql's only text", async () => {
    const { generator } = setup();
    const term = {
      term: 'big orders',
      table: 'orders',
      kind: 'filter' as const,
      sql: 'id > 1',
      type: 'BOOLEAN',
      created_at: '',
      created_by: '',
    };
    const example = {
      id: 'e1',
      question: 'How many orders?',
      sql: 'SELECT count(*) FROM orders',
      source: 'admin' as const,
      created_at: '',
      created_by: '',
    };
    const generated = await generator.generate({
      question: 'How many big orders?',
      bucket: 'sales',
      schema: schemaOf('orders'),
      knowledge: { revision: 1, version: 'test.1', glossary: [term], examples: [example] },
    });
    expect(echoed(generated.sql).question).toBe(
      [
        'How many big orders?',
        '',
        'Definitions from the owners of this database:',
        '- "big orders" (filter on table orders): id > 1',
        'Questions asked before, with SQL that answers them:',
        '- How many orders? => SELECT count(*) FROM orders',
      ].join('\n'),
    );
  });

  it('returns the SQL prompt_sql wrote, trimmed', async () => {
    const { generator } = setup(PROMPT_SQL.answer('  SELECT count(*) FROM orders\n'));
    await expect(generator.generate({ question: 'q', bucket: 'sales', schema: schemaOf('orders') })).resolves.toEqual({
      sql: 'SELECT count(*) FROM orders',
    });
  });

  it.each([
    ['quotes', `What's the "best" order?`],
    ['a statement break-out', `'); DROP TABLE orders; --`],
    ['backslashes', "C:\\temp\\new \\' \\\\' end\\"],
    ['unicode', 'Combien de commandes à Zürich? 注文数 🦆 \u0000after-nul'],
    ['newlines and a parameter name', 'line one\nline two\r\n$question ? $1'],
  ])('hands prompt_sql the exact question text with %s', async (_label, question) => {
    const { standIn, generator } = setup();
    const generated = await generator.generate({ question, bucket: 'sales', schema: schemaOf('orders') });
    expect(echoed(generated.sql).question).toBe(question);
    // The break-out attempt did nothing: the table is still there and still full.
    const connection = await standIn.connect();
    const count = await connection.runAndReadAll('SELECT count(*)::INTEGER FROM sales.orders');
    connection.closeSync();
    expect(count.getRows()).toEqual([[2]]);
  });

  it('hands prompt_sql table names that need quoting exactly', async () => {
    const { generator } = setup();
    const generated = await generator.generate({ question: 'q', bucket: 'sales', schema: schemaOf("o'brien", 'Mixed Case', 'x\\y') });
    expect(echoed(generated.sql).include_tables).toEqual(["o'brien", 'Mixed Case', 'x\\y']);
  });

  it('leaves include_tables to its default when the schema has no tables', async () => {
    const { generator } = setup();
    const generated = await generator.generate({ question: 'q', bucket: 'sales', schema: schemaOf() });
    expect(echoed(generated.sql).include_tables).toBeNull();
  });

  it.each([
    ['a listed bucket', 'acme', 'acme_prod'],
    ['an unlisted bucket', 'sales', 'sales'],
    ['an unlisted bucket whose name needs quoting', 'acme-eu', 'acme-eu'],
    ['a mapped name in mixed case', 'stats', 'Analytics'],
    ['a mapped name that is a keyword', 'kw', 'select'],
  ])('uses the database of %s', async (_label, bucket, database) => {
    const { generator } = setup();
    const generated = await generator.generate({ question: 'q', bucket, schema: schemaOf('orders') });
    expect(echoed(generated.sql).database).toBe(database);
  });

  it('fails generation, naming the database, when it does not exist', async () => {
    const { generator } = setup();
    const error = await generationError(generator.generate({ question: 'q', bucket: 'nowhere', schema: schemaOf('orders') }));
    expect(error.message).toMatch(/^The MotherDuck database 'nowhere' could not be opened: Catalog Error: .*nowhere/);
  });

  it('fails generation when prompt_sql fails, with the token redacted', async () => {
    const { generator } = setup(PROMPT_SQL.fail);
    const error = await generationError(generator.generate({ question: 'q', bucket: 'sales', schema: schemaOf('orders') }));
    expect(error.message).toBe("MotherDuck's prompt_sql failed: Invalid Input Error: MotherDuck refused token [redacted]: quota exceeded");
    expect(error.cause).toBeUndefined();
  });

  it.each([
    ['no rows', PROMPT_SQL.none],
    ['a blank query', PROMPT_SQL.blank],
  ])('fails generation when prompt_sql returns %s', async (_label, promptSql) => {
    const { generator } = setup(promptSql);
    const error = await generationError(generator.generate({ question: 'q', bucket: 'sales', schema: schemaOf('orders') }));
    expect(error.message).toBe('MotherDuck returned no SQL for that question. Rephrase it, or name the data you mean.');
  });

  it('interrupts prompt_sql at the timeout and fails generation', async () => {
    const { standIn, generator } = setup(PROMPT_SQL.slow, { timeoutMs: 300 });
    const error = await generationError(generator.generate({ question: 'q', bucket: 'sales', schema: schemaOf('orders') }));
    expect(error.message).toBe('MotherDuck did not write SQL within 0.3 s. Try again, or ask a simpler question.');
    // Interrupted, not left running: the connection settles and is closed.
    await standIn.allClosed();
  });

  it("stops at the job's deadline when it is nearer than the timeout, and does not call once it has passed", async () => {
    const { generator } = setup(PROMPT_SQL.slow, { timeoutMs: 30_000 });
    const request = { question: 'q', bucket: 'sales', schema: schemaOf('orders') };
    // With the clock stopped, the 300 ms left at the call are 300 ms whatever the machine's speed.
    await withFrozenDate(async () => {
      const error = await generationError(generator.generate({ ...request, deadline: Date.now() + 300 }));
      expect(error.message).toBe('MotherDuck did not write SQL within 0.3 s. Try again, or ask a simpler question.');
      const late = await generationError(generator.generate({ ...request, deadline: Date.now() - 1 }));
      expect(late.message).toBe('The job ran out of time before MotherDuck could be asked.');
    });
  });

  it('stops waiting at the timeout even when opening MotherDuck hangs', async () => {
    const { connector, release } = hangingMotherDuckStandIn();
    const generator = new MotherDuckSqlGenerator({ connector, timeoutMs: 100 });
    const error = await generationError(generator.generate({ question: 'q', bucket: 'sales', schema: schemaOf('orders') }));
    expect(error.message).toBe('MotherDuck did not write SQL within 0.1 s. Try again, or ask a simpler question.');
    release();
  });

  it('fails generation when MotherDuck cannot be reached, with the token redacted', async () => {
    const unreachable = unreachableMotherDuckStandIn(`IO Error: could not authenticate with token ${TEST_MOTHERDUCK_TOKEN}\nsecond line`);
    const generator = new MotherDuckSqlGenerator({ connector: unreachable });
    const error = await generationError(generator.generate({ question: 'q', bucket: 'sales', schema: schemaOf('orders') }));
    expect(error.message).toBe('MotherDuck could not be reached: IO Error: could not authenticate with token [redacted]');
  });

  it('keeps one bucket database out of another bucket question on the same connector', async () => {
    const { generator } = setup();
    const [first, second] = await Promise.all([
      generator.generate({ question: 'q1', bucket: 'acme', schema: schemaOf('orders') }),
      generator.generate({ question: 'q2', bucket: 'sales', schema: schemaOf('orders') }),
    ]);
    expect(echoed(first.sql)).toMatchObject({ question: 'q1', database: 'acme_prod' });
    expect(echoed(second.sql)).toMatchObject({ question: 'q2', database: 'sales' });
  });
});
