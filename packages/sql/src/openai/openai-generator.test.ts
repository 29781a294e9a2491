import { GenerationFailedError } from '@flock/errors';
import { rejectionOf, systemOf, useChatCompletionsStandIn, withFrozenDate } from '@flock/testing';
import { demoSchema } from '../test-fixtures/demo-schema.fixture';
import { col, schema, table } from '../test-fixtures/schema-builder.fixture';
import { OpenAiSqlGenerator, type OpenAiSqlGeneratorOptions } from './openai-generator';

describe('OpenAiSqlGenerator with a local chat-completions server standing in for the LLM', () => {
  const server = useChatCompletionsStandIn({ freshEachTest: true });

  const generator = (options: Partial<OpenAiSqlGeneratorOptions> = {}) =>
    new OpenAiSqlGenerator({
      baseUrl: server.baseUrl,
      model: 'stand-in-model',
      timeoutMs: 5000,
      attempts: 3,
      maxSchemaChars: 12_000,
      ...options,
    });

  it('is named openai and takes its attempts from the options', () => {
    expect(generator().name).toBe('openai');
    expect(generator({ attempts: 5 }).maxAttempts).toBe(5);
  });

  it("stops waiting at the job's deadline when it is nearer than its own timeout", async () => {
    server.replyWith({ hang: true });
    const request = { question: 'How many members?', bucket: 'example', schema: demoSchema() };
    // With the clock stopped, the 300 ms left at the call are 300 ms whatever the machine's speed.
    await withFrozenDate(async () => {
      const failure = await rejectionOf(
        generator({ timeoutMs: 30_000 }).generate({ ...request, deadline: Date.now() + 300 }),
        GenerationFailedError,
      );
      expect(failure.message).toBe('The language model did not answer within 0.3 s. Try again later.');

      // With the deadline already past, the model is not asked at all.
      const asked = server.requests.length;
      await expect(generator().generate({ ...request, deadline: Date.now() - 1 })).rejects.toThrow(/ran out of time/);
      expect(server.requests.length).toBe(asked);
    });
  });

  it('sends the question with the schema and returns the SQL out of a fenced reply', async () => {
    server.replyWith("```sql\nSELECT count(*) AS premium_members FROM member WHERE membership_type = 'Premium';\n```");
    const generated = await generator().generate({ question: 'How many premium members?', bucket: 'example', schema: demoSchema() });
    const [request] = server.requests;
    const sent = request!.body!.messages!.reduce((sum, message) => sum + message.content.length, 0);
    // The prompt's size comes back for meta.prompt_chars.
    expect(generated).toEqual({
      sql: "SELECT count(*) AS premium_members FROM member WHERE membership_type = 'Premium'",
      promptChars: sent,
    });

    expect(request!.body!.model).toBe('stand-in-model');
    expect(request!.body!.messages!.map((m) => m.role)).toEqual(['system', 'user']);
    expect(request!.body!.messages![1]!.content).toBe('How many premium members?');
    expect(systemOf(request!)).toContain("membership_type VARCHAR ['Standard','Premium','Student','Lifetime']");
    expect(systemOf(request!)).toContain('member_id INTEGER → member.id');
  });

  it('sends each failed attempt back: the previous SQL as the model’s turn, then the error', async () => {
    server.replyWith('SELECT currency, sum(amount) AS total FROM payment GROUP BY currency');
    await generator().generate({
      question: 'Total payments by currency',
      bucket: 'example',
      schema: demoSchema(),
      previousAttempts: [
        { sql: 'SELECT currency, sum(amount_eur) FROM payment GROUP BY 1', error: 'Referenced column "amount_eur" not found' },
      ],
    });
    expect(server.requests[0]!.body!.messages!.slice(1)).toEqual([
      { role: 'user', content: 'Total payments by currency' },
      { role: 'assistant', content: 'SELECT currency, sum(amount_eur) FROM payment GROUP BY 1' },
      { role: 'user', content: 'That SQL failed: Referenced column "amount_eur" not found. Reply with a corrected single SELECT.' },
    ]);
  });

  it("keeps the tenant's data out of the prompt when values may not be sent: names, types and keys only", async () => {
    server.replyWith("SELECT count(*) FROM member WHERE membership_type ILIKE 'premium'");
    await generator({ sendValues: false }).generate({
      question: 'How many premium members?',
      bucket: 'example',
      schema: demoSchema(),
      previousAttempts: [
        { sql: 'SELECT CAST(first_name AS INTEGER) FROM member', error: "Conversion Error: Could not convert string 'Alice' to INT32" },
      ],
    });
    const messages = server.requests[0]!.body!.messages!;
    const system = systemOf(server.requests[0]!);
    expect(system).toContain('membership_type VARCHAR');
    expect(system).toContain('member_id INTEGER → member.id');
    for (const value of ['Premium', 'Standard', 'Lifetime']) expect(system).not.toContain(value);
    expect(system).not.toMatch(/rows=\d/);
    expect(messages.at(-1)!.content).toBe(
      "That SQL failed: Conversion Error: Could not convert string '…' to INT32. Reply with a corrected single SELECT.",
    );
    expect(JSON.stringify(messages)).not.toContain('Alice');
  });

  it('reads a follow-up against the exchange before it: the earlier question, its SQL, then the follow-up as asked', async () => {
    server.replyWith('SELECT currency, sum(amount) AS total FROM payment WHERE year(paid_at) = 2024 GROUP BY currency');
    await generator().generate({
      question: 'Total payments by currency, only for 2024',
      bucket: 'example',
      schema: demoSchema(),
      followUp: {
        previousQuestion: 'Total payments by currency',
        previousSql: 'SELECT currency, sum(amount) AS total FROM payment GROUP BY currency',
        asked: 'only for 2024',
      },
    });
    expect(server.requests[0]!.body!.messages!.slice(1)).toEqual([
      { role: 'user', content: 'Total payments by currency' },
      { role: 'assistant', content: 'SELECT currency, sum(amount) AS total FROM payment GROUP BY currency' },
      { role: 'user', content: 'only for 2024' },
    ]);
  });

  it("sends the terms the question uses with the tenant's definitions, and its nearest saved examples as worked answers", async () => {
    server.replyWith("SELECT count(*) FROM member WHERE status = 'cancelled'");
    const term = {
      term: 'churned',
      table: 'member',
      kind: 'filter' as const,
      sql: "status = 'cancelled'",
      type: 'BOOLEAN',
      created_at: '',
      created_by: '',
    };
    const unused = { ...term, term: 'whales', sql: 'id < 10' };
    const example = (id: string, question: string) => ({
      id,
      question,
      sql: `SELECT '${id}'`,
      source: 'admin' as const,
      created_at: '',
      created_by: '',
    });
    const generated = await generator({ sendValues: false }).generate({
      question: 'How many churned members per country?',
      bucket: 'example',
      schema: demoSchema(),
      knowledge: {
        revision: 2,
        version: 'test.2',
        glossary: [term, unused],
        examples: [example('e1', 'How many members per country?'), example('e2', 'Total payments')],
      },
    });
    const { messages } = server.requests[0]!.body!;
    expect(systemOf(server.requests[0]!)).toContain(`- "churned": rows of member: status = 'cancelled'`);
    expect(systemOf(server.requests[0]!)).not.toContain('whales');
    expect(messages!.slice(1)).toEqual([
      { role: 'user', content: 'How many members per country?' },
      { role: 'assistant', content: "SELECT 'e1'" },
      { role: 'user', content: 'How many churned members per country?' },
    ]);
    expect(generated.knowledge).toEqual({ examples_shown: 1 });
  });

  it('ends a refusal as generation_failed', async () => {
    server.replyWith('CANNOT_ANSWER: there is no data about league standings');
    const attempt = generator().generate({ question: 'Who will win the league?', bucket: 'example', schema: demoSchema() });
    await expect(attempt).rejects.toThrow(GenerationFailedError);
    await expect(attempt).rejects.toThrow(/could not answer this from the bucket's tables: there is no data about league standings/);
  });

  it('cuts a large schema to the budget before sending it', async () => {
    server.replyWith('SELECT 1');
    const tables = Array.from({ length: 300 }, (_, i) =>
      table(`area_${i}`, i, [col('id', 'INTEGER'), col('label', 'VARCHAR', ['one', 'two']), col('created_at', 'TIMESTAMP')]),
    );
    tables.push(table('refund', 9, [col('id', 'INTEGER'), col('amount', 'DOUBLE')]));
    await generator({ maxSchemaChars: 2000 }).generate({ question: 'Total refunds', bucket: 'b', schema: schema(...tables) });
    const system = systemOf(server.requests[0]!);
    const schemaLines = system.split('\n').filter((line) => /^\w+\(.*\) rows=\d+$/.test(line));
    expect(schemaLines.join('\n').length).toBeLessThanOrEqual(2000);
    expect(schemaLines).toContain('refund(id INTEGER, amount DOUBLE) rows=9');
    expect(system).toMatch(/\(\d+ more tables exist but are left out as less related to the question\.\)/);
  });

  it('refuses without calling the endpoint when no table fits the budget', async () => {
    const wide = table(
      'wide',
      1,
      Array.from({ length: 100 }, (_, i) => col(`column_number_${i}`, 'INTEGER')),
    );
    const attempt = generator({ maxSchemaChars: 500 }).generate({ question: 'q', bucket: 'b', schema: schema(wide) });
    await expect(attempt).rejects.toThrow("No table of this bucket fits the language model's schema budget of 500 characters.");
    expect(server.requests).toHaveLength(0);
  });
});
