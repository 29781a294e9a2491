import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import request from 'supertest';
import { jobRecordKey } from '@flock/jobs';
import { mintToken, useTempWarehouseDir, waitFor } from '@flock/testing';
import { asAdmin, settle, submit, useHarness } from './support/flock-harness';

/**
 * Tenant knowledge (issue 13, parts 1 and 2) through the API and a worker, on a real
 * Redis and real DuckDB files: a glossary term makes a refused question answerable, an
 * example answers its question, feedback becomes a candidate a tenant admin promotes, and
 * knowledge that does not work on the warehouse is refused when it is saved.
 */
const SHOP = `
  CREATE TABLE customers(id INTEGER PRIMARY KEY, name VARCHAR, status VARCHAR, country VARCHAR);
  INSERT INTO customers VALUES
    (1, 'Ada', 'active', 'UK'), (2, 'Bo', 'cancelled', 'UK'), (3, 'Cy', 'cancelled', 'FR'), (4, 'Di', 'active', 'FR'), (5, 'Ed', 'paused', 'FR');
  CREATE TABLE orders(id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), amount DECIMAL(10,2), fee DECIMAL(10,2), ordered_on DATE);
  INSERT INTO orders VALUES
    (1, 1, 100, 10, '2024-01-05'), (2, 1, 50, 5, '2024-02-01'), (3, 2, 80, 8, '2023-12-30'), (4, 3, 20, 2, '2024-03-03'), (5, 4, 200, 20, '2024-03-09');`;

const warehouses = useTempWarehouseDir('knowledge', { sql: { shop: SHOP, other: SHOP } });
// Each test starts from a bucket that has been taught nothing.
beforeEach(() => rm(path.join(warehouses.dir, '.flock-knowledge'), { recursive: true, force: true }));
const flock = useHarness(() => ({ env: { FLOCK_WAREHOUSE_DIR: warehouses.dir, FLOCK_ANSWER_CACHE: 'true' } }), { perTest: true });

const CALLERS = {
  tenantAdmin: { sub: 'tess', buckets: ['shop'], tenant_admin: true },
  asker: { sub: 'ann', buckets: ['shop'] },
  otherAsker: { sub: 'bob', buckets: ['shop'] },
  otherTenantAdmin: { sub: 'olga', buckets: ['other'], tenant_admin: true },
};
type Caller = keyof typeof CALLERS;
const tokens = {} as Record<Caller, string>;
beforeAll(async () => {
  for (const [who, claims] of Object.entries(CALLERS)) tokens[who as Caller] = await mintToken(claims);
});
const as = (who: Caller, req: request.Test) => req.set('Authorization', `Bearer ${tokens[who]}`);

async function ask(who: Caller, question: string, bucket = 'shop', previousJobId?: string) {
  const sent = previousJobId ? { question, previous_job_id: previousJobId } : { question };
  const submitted = await as(who, request(flock.app).post(`/api/v1/${bucket}/ask`)).send(sent);
  expect(submitted.status).toBe(202);
  const jobId = submitted.body.data.job_id as string;
  const body = await waitFor(
    async () => {
      const res = await as(who, request(flock.app).get(`/api/v1/${bucket}/ask/jobs/${jobId}?wait_ms=2000`));
      return res.body.data.status === 'processing' ? undefined : (res.body as Record<string, any>);
    },
    { timeoutMs: 20_000, what: `job ${jobId}` },
  );
  return { jobId, body };
}

const define = (term: string, body: object, who: Caller = 'tenantAdmin', bucket = 'shop') =>
  as(who, request(flock.app).put(`/api/v1/${bucket}/knowledge/glossary/${encodeURIComponent(term)}`)).send(body);

const knowledge = async (bucket = 'shop') => (await asAdmin(request(flock.app).get(`/api/v1/${bucket}/knowledge`))).body.data;

describe('the glossary', () => {
  it('makes a question refused for an unknown word answerable once a tenant admin defines the word', async () => {
    const before = await ask('asker', 'How many churned customers are there?');
    expect(before.body.data).toMatchObject({ status: 'failed', error_code: 'generation_failed' });
    expect(before.body.data.error_message).toMatch(/churned/);

    const saved = await define('churned', { table: 'customers', kind: 'filter', sql: "status = 'cancelled'", description: 'Left us.' });
    expect(saved.status).toBe(200);
    expect(saved.body.data).toMatchObject({
      term: 'churned',
      table: 'customers',
      kind: 'filter',
      type: 'BOOLEAN',
      created_by: 'user:tess',
    });

    const after = await ask('asker', 'How many churned customers are there?');
    expect(after.body.data).toMatchObject({ status: 'completed', rows: [[2]] });
    expect(after.body.meta.knowledge).toEqual({ revision: 1, terms: ['churned'] });
    // The word is placed like a column of its table, joined to where a question needs it.
    const orders = await ask('asker', 'How many orders do churned customers have?');
    expect(orders.body.data.rows).toEqual([[2]]);
    const notChurned = await ask('asker', 'How many customers are not churned?');
    expect(notChurned.body.data.rows).toEqual([[3]]);
    // A follow-up may use the word too.
    const byCountry = await ask('asker', 'How many customers by country?');
    const followUp = await ask('asker', 'only churned ones', 'shop', byCountry.jobId);
    expect(followUp.body.meta.resolved_question).toBe('How many customers by country, only churned ones');
    expect(followUp.body.data.rows).toEqual([
      ['FR', 1],
      ['UK', 1],
    ]);
  });

  it('reads a measure as its aggregate, and a changed definition is not answered from the cache', async () => {
    const before = await ask('asker', 'What is the revenue by country?');
    expect(before.body.data.status).toBe('completed');
    expect(before.body.meta.knowledge).toBeUndefined();

    expect((await define('revenue', { table: 'orders', kind: 'measure', sql: 'sum(amount - fee)' })).status).toBe(200);
    const after = await ask('asker', 'What is the revenue by country?');
    expect(after.body.meta).toMatchObject({ cached: false, knowledge: { terms: ['revenue'] } });
    const byCountry = Object.fromEntries(after.body.data.rows.map(([country, total]: [string, unknown]) => [country, Number(total)]));
    // UK: (100-10)+(50-5)+(80-8) = 207; FR: (20-2)+(200-20) = 198.
    expect(byCountry).toEqual({ UK: 207, FR: 198 });
  });

  it.each([
    ['a missing column', { table: 'customers', kind: 'filter', sql: "sttus = 'cancelled'" }, /sttus/],
    ['a missing table', { table: 'clients', kind: 'filter', sql: "status = 'cancelled'" }, /no table 'clients'/],
    ['a filter that is not true or false', { table: 'customers', kind: 'filter', sql: 'upper(status)' }, /true or false.*VARCHAR/],
    ['a measure that is not an aggregate', { table: 'orders', kind: 'measure', sql: 'amount - fee' }, /sum\(…\)/],
    ['an aggregate given as a row value', { table: 'orders', kind: 'column', sql: 'sum(amount)' }, /define it as a measure/],
    ['a sum of text', { table: 'customers', kind: 'measure', sql: 'sum(name)' }, /needs a number/],
    [
      'text that breaks out of its expression',
      { table: 'customers', kind: 'filter', sql: 'true) AS x FROM orders --' },
      /parenthesis|comments/,
    ],
    ['two statements', { table: 'customers', kind: 'filter', sql: 'true; DROP TABLE customers' }, /one expression/],
    [
      'an escaped string that hides a parenthesis',
      {
        table: 'customers',
        kind: 'filter',
        sql: "status = E'\\'' OR true) AS x FROM customers UNION ALL BY NAME SELECT *, (status = E'\\''",
      },
      /plain quoted strings/,
    ],
    ['an expression that does not parse', { table: 'customers', kind: 'filter', sql: 'status = = 1' }, /does not parse|Parser Error/],
    [
      'a file read',
      { table: 'customers', kind: 'column', sql: "(SELECT content FROM read_text('/etc/passwd'))" },
      /file system operations are disabled/,
    ],
  ])('refuses %s with a 400 that says why, and saves nothing', async (_what, body, message) => {
    const before = await knowledge();
    const res = await define('lapsed', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('bad_request');
    expect(res.body.error.message).toMatch(message);
    expect(await knowledge()).toEqual(before);
  });

  it('answers 404 for a granted bucket that has no warehouse', async () => {
    const res = await asAdmin(request(flock.app).put('/api/v1/ghost/knowledge/glossary/churned')).send({
      table: 'customers',
      kind: 'filter',
      sql: 'true',
    });
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'not_found', message: 'Unknown bucket: ghost' });
  });

  it('refuses a term that would hide a column of its table', async () => {
    const res = await define('Status', { table: 'customers', kind: 'column', sql: 'upper(status)' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/already has a column 'status'/);
  });

  it('lets only tenant admins of the bucket change it, and askers of other buckets not even read it', async () => {
    const body = { table: 'customers', kind: 'filter', sql: "status = 'cancelled'" };
    expect((await define('churned', body, 'asker')).status).toBe(403);
    expect((await define('churned', body, 'otherTenantAdmin')).status).toBe(403);
    expect((await as('otherTenantAdmin', request(flock.app).get('/api/v1/shop/knowledge'))).status).toBe(403);
    // Askers of the bucket may read what the engine uses.
    expect((await define('churned', body)).status).toBe(200);
    const read = await as('asker', request(flock.app).get('/api/v1/shop/knowledge'));
    expect(read.status).toBe(200);
    expect(read.body.data.glossary.map((t: { term: string }) => t.term)).toEqual(['churned']);
    // Another bucket's knowledge is its own.
    expect((await knowledge('other')).glossary).toEqual([]);
    expect((await as('asker', request(flock.app).delete('/api/v1/shop/knowledge/glossary/churned'))).status).toBe(403);
    expect((await as('tenantAdmin', request(flock.app).delete('/api/v1/shop/knowledge/glossary/churned'))).status).toBe(204);
    expect((await as('tenantAdmin', request(flock.app).delete('/api/v1/shop/knowledge/glossary/churned'))).status).toBe(404);
  });
});

describe('examples', () => {
  it('answer a question that asks the same, with their SQL, and no other question', async () => {
    const sql =
      'SELECT name FROM customers WHERE id IN (SELECT customer_id FROM orders GROUP BY 1 HAVING sum(amount) >= 150) ORDER BY name';
    const saved = await as('tenantAdmin', request(flock.app).post('/api/v1/shop/knowledge/examples')).send({
      question: 'Who are our best customers?',
      sql,
    });
    expect(saved.status).toBe(201);
    const same = await ask('asker', 'who are our best customers');
    expect(same.body.data).toMatchObject({ status: 'completed', rows: [['Ada'], ['Di']], generated_sql: sql });
    expect(same.body.meta.knowledge).toEqual({ revision: 1, example_id: saved.body.data.id });
    const different = await ask('asker', 'Who are our best customers in France?');
    expect(different.body.meta?.knowledge?.example_id).toBeUndefined();
  });

  it('are refused when their SQL does not validate or run', async () => {
    const write = await as('tenantAdmin', request(flock.app).post('/api/v1/shop/knowledge/examples')).send({
      question: 'Wipe',
      sql: 'DELETE FROM customers',
    });
    expect(write.status).toBe(400);
    expect(write.body.error.message).toMatch(/does not run on this bucket/);
    const missing = await as('tenantAdmin', request(flock.app).post('/api/v1/shop/knowledge/examples')).send({
      question: 'Q',
      sql: 'SELECT nope FROM customers',
    });
    expect(missing.status).toBe(400);
    expect((await knowledge()).examples).toEqual([]);
  });
});

describe('feedback', () => {
  it('keeps a corrected SQL as a candidate that a tenant admin promotes to an example, beyond the job', async () => {
    const refused = await ask('asker', 'How many customers left us?');
    expect(refused.body.data.status).toBe('failed');
    const path = `/api/v1/shop/ask/jobs/${refused.jobId}/feedback`;
    const sql = "SELECT count(*) AS customers FROM customers WHERE status = 'cancelled'";

    // Only the asker's own job; SQL that does not run is refused and nothing is kept.
    expect((await as('otherAsker', request(flock.app).post(path)).send({ correct: false, sql })).status).toBe(404);
    const bad = await as('asker', request(flock.app).post(path)).send({ correct: false, sql: 'SELECT * FROM nowhere' });
    expect(bad.status).toBe(400);
    expect((await as('asker', request(flock.app).post(path)).send({ sql })).status).toBe(400);

    const given = await as('asker', request(flock.app).post(path)).send({ correct: false, sql, comment: 'Left = cancelled.' });
    expect(given.status).toBe(201);
    expect(given.body.data).toMatchObject({
      job_id: refused.jobId,
      question: 'How many customers left us?',
      status: 'candidate',
      columns: ['customers'],
      created_by: 'user:ann',
    });

    // The job's record expires; its feedback does not.
    const redis = new Redis(flock.env.REDIS_URL!);
    await redis.del(jobRecordKey(flock.env.FLOCK_REDIS_PREFIX!, refused.jobId));
    await redis.quit();

    expect((await as('asker', request(flock.app).get('/api/v1/shop/knowledge/feedback'))).status).toBe(403);
    const list = await as('tenantAdmin', request(flock.app).get('/api/v1/shop/knowledge/feedback?status=candidate'));
    expect(list.body.data.map((f: { id: string }) => f.id)).toEqual([given.body.data.id]);

    const promoted = await as('tenantAdmin', request(flock.app).post(`/api/v1/shop/knowledge/feedback/${given.body.data.id}/promote`));
    expect(promoted.status).toBe(201);
    expect(promoted.body.data).toMatchObject({
      question: 'How many customers left us?',
      sql,
      source: 'feedback',
      feedback_id: given.body.data.id,
    });
    expect((await as('tenantAdmin', request(flock.app).post(`/api/v1/shop/knowledge/feedback/${given.body.data.id}/promote`))).status).toBe(
      400,
    );

    const again = await ask('asker', 'How many customers left us?');
    expect(again.body.data).toMatchObject({ status: 'completed', rows: [[2]] });
    expect(again.body.meta.knowledge.example_id).toBe(promoted.body.data.id);
  });

  it('keeps the question a follow-up was read as, not its fragment', async () => {
    const first = await ask('asker', 'How many customers by country?');
    const followUp = await ask('asker', 'only active ones', 'shop', first.jobId);
    expect(followUp.body.data.status).toBe('completed');
    const given = await as('asker', request(flock.app).post(`/api/v1/shop/ask/jobs/${followUp.jobId}/feedback`)).send({ correct: true });
    expect(given.body.data.question).toBe('How many customers by country, only active ones');
  });

  it('notes a verdict on a follow-up that was never read as a question, but takes no SQL for it', async () => {
    const first = await ask('asker', 'How many customers by country?');
    const refused = await ask('asker', 'what about the weather?', 'shop', first.jobId);
    expect(refused.body.data.status).toBe('failed');
    const path = `/api/v1/shop/ask/jobs/${refused.jobId}/feedback`;
    const withSql = await as('asker', request(flock.app).post(path)).send({ correct: false, sql: 'SELECT count(*) FROM orders' });
    expect(withSql.status).toBe(400);
    expect(withSql.body.error.message).toMatch(/never read as a question of its own/);
    const noted = await as('asker', request(flock.app).post(path)).send({ correct: false, comment: 'wanted the weather' });
    expect(noted.body.data).toMatchObject({ status: 'noted', question: 'what about the weather?' });
    expect(noted.body.data.sql).toBeUndefined();
  });

  it('refuses a definition that stands for several columns', async () => {
    const res = await define('gross', { table: 'orders', kind: 'measure', sql: "sum(COLUMNS('fee|amount'))" });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/one value/);
  });

  it('leaves the answer cache alone, and replaces a verdict given again on the same job', async () => {
    await ask('asker', 'How many customers are there?');
    const cached = await ask('asker', 'How many customers are there?');
    expect(cached.body.meta.cached).toBe(true);
    const path = `/api/v1/shop/ask/jobs/${cached.jobId}/feedback`;
    await as('asker', request(flock.app).post(path)).send({ correct: false, comment: 'first thought' });
    await as('asker', request(flock.app).post(path)).send({ correct: true, comment: 'on second thought' });
    expect((await ask('asker', 'How many customers are there?')).body.meta.cached).toBe(true);
    const list = await as('tenantAdmin', request(flock.app).get('/api/v1/shop/knowledge/feedback'));
    expect(list.body.data.map((f: { comment: string }) => f.comment)).toEqual(['on second thought']);
  });

  it('notes a verdict without SQL, and takes an answer marked correct as a candidate with its own SQL', async () => {
    const answered = await ask('asker', 'How many customers are there?');
    const path = `/api/v1/shop/ask/jobs/${answered.jobId}/feedback`;
    const right = await as('asker', request(flock.app).post(path)).send({ correct: true });
    expect(right.body.data).toMatchObject({ status: 'candidate', sql: answered.body.data.generated_sql, correct: true });
    const wrong = await as('asker', request(flock.app).post(path)).send({ correct: false, comment: 'Should leave out paused ones.' });
    expect(wrong.body.data).toMatchObject({ status: 'noted', comment: 'Should leave out paused ones.' });
    expect(wrong.body.data.sql).toBeUndefined();
  });
});

it('stops answering a bucket whose knowledge file is broken, and says so, rather than answer without it', async () => {
  await mkdir(path.join(warehouses.dir, '.flock-knowledge'), { recursive: true });
  await writeFile(path.join(warehouses.dir, '.flock-knowledge', 'shop.json'), '{"format": 1, "glossary": [{"term": 5}]');
  const asked = await ask('asker', 'How many customers are there?');
  expect(asked.body.data).toMatchObject({ status: 'failed', error_code: 'generation_failed' });
  expect(asked.body.data.error_message).toMatch(/glossary and examples cannot be read/);
  const read = await asAdmin(request(flock.app).get('/api/v1/shop/knowledge'));
  expect(read.status).toBe(503);
  expect(read.body.error).toEqual({ code: 'service_unavailable', message: "The knowledge file of bucket 'shop' is not valid JSON" });
  // Other buckets answer as before.
  const other = await settle(flock.app, 'other', await submit(flock.app, 'other', 'How many customers are there?'));
  expect(other.data).toMatchObject({ status: 'completed', rows: [[5]] });
});

it('keeps each bucket’s knowledge in a JSON file of its own, outside the warehouse files', async () => {
  expect((await define('churned', { table: 'customers', kind: 'filter', sql: "status = 'cancelled'" })).status).toBe(200);
  const file = JSON.parse(await readFile(path.join(warehouses.dir, '.flock-knowledge', 'shop.json'), 'utf8'));
  expect(file).toMatchObject({ format: 1, revision: 1, glossary: [{ term: 'churned' }], examples: [], feedback: [] });
});
