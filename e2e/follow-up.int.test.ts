import request from 'supertest';
import { TEST_ADMIN_API_KEY, mintToken, normalise, referenceRows } from '@flock/testing';
import { settle, submit, useHarness } from './support/flock-harness';

/**
 * Follow-up questions (issue 13, part 3) with the built-in engine, through the API and a
 * worker on a real Redis and the demo warehouses: each names the earlier answer it
 * follows (`previous_job_id`) and is read against it.
 */
const flock = useHarness();

async function followUp(
  bucket: string,
  question: string,
  previousJobId: string,
  as: Record<string, string> = { 'X-API-Key': TEST_ADMIN_API_KEY },
) {
  return request(flock.app).post(`/api/v1/${bucket}/ask`).set(as).send({ question, previous_job_id: previousJobId });
}

async function answered(bucket: string, question: string, previousJobId: string) {
  const res = await followUp(bucket, question, previousJobId);
  expect(res.status).toBe(202);
  return settle(flock.app, bucket, res.body.data.job_id);
}

it('adds a filter, then a grouping, each read against the question before it', async () => {
  const first = await submit(flock.app, 'example', 'Total payments by currency');
  await settle(flock.app, 'example', first);

  const only2024 = await answered('example', 'only for 2024', first);
  expect(only2024.data.status).toBe('completed');
  expect(only2024.meta).toMatchObject({
    question: 'only for 2024',
    resolved_question: 'Total payments by currency, only for 2024',
    follows_job_id: first,
  });
  expect(normalise(only2024.data.rows)).toEqual(
    normalise(await referenceRows('example', 'SELECT currency, sum(amount)::DOUBLE FROM payment WHERE year(paid_at) = 2024 GROUP BY 1')),
  );

  const byStatus = await answered('example', 'and by status?', only2024.data.job_id);
  expect(byStatus.meta.resolved_question).toBe('Total payments by currency and status, only for 2024');
  expect(byStatus.data.columns.slice(0, 2)).toEqual(['currency', 'status']);
  expect(normalise(byStatus.data.rows)).toEqual(
    normalise(
      await referenceRows('example', 'SELECT currency, status, sum(amount)::DOUBLE FROM payment WHERE year(paid_at) = 2024 GROUP BY 1, 2'),
    ),
  );
});

it('swaps a value for another of its column', async () => {
  const first = await submit(flock.app, 'example', 'How many Standard members by country?');
  await settle(flock.app, 'example', first);
  const premium = await answered('example', 'What about Premium members?', first);
  expect(premium.meta.resolved_question).toBe('How many Premium members by country');
  expect(normalise(premium.data.rows)).toEqual(
    normalise(await referenceRows('example', "SELECT country, count(*) FROM member WHERE membership_type = 'Premium' GROUP BY 1")),
  );
});

it('refuses a follow-up it cannot relate to the question before it, saying so', async () => {
  const first = await submit(flock.app, 'example', 'How many members by type?');
  await settle(flock.app, 'example', first);
  const body = await answered('example', 'what about the weather?', first);
  expect(body.data).toMatchObject({ status: 'failed', error_code: 'generation_failed' });
  expect(body.data.error_message).toMatch(/^Could not tell how "what about the weather\?" changes the previous question/);
});

it("refuses a previous_job_id that is not an answered ask of the caller's in this bucket", async () => {
  const alice = { Authorization: `Bearer ${await mintToken({ sub: 'alice', buckets: ['example', 'jec'] })}` };
  const bob = { Authorization: `Bearer ${await mintToken({ sub: 'bob', buckets: ['example'] })}` };
  const asked = await request(flock.app).post('/api/v1/example/ask').set(alice).send({ question: 'How many members by type?' });
  const alicesJob = asked.body.data.job_id as string;
  await settle(flock.app, 'example', alicesJob);
  const failed = await submit(flock.app, 'example', 'Who will win the league next season?');
  await settle(flock.app, 'example', failed);

  const refusal = {
    error: { code: 'bad_request', message: "'previous_job_id' must name an answered ask of yours in this bucket, from the last hour" },
  };
  // Another user's job, a job of another bucket, a failed job, a job that never was.
  for (const [bucket, previous, as] of [
    ['example', alicesJob, bob],
    ['jec', alicesJob, alice],
    ['example', failed, alice],
    ['example', '00000000-0000-4000-8000-000000000000', alice],
  ] as const) {
    const res = await followUp(bucket, 'only for 2024', previous, as);
    expect([res.status, res.body]).toEqual([400, refusal]);
  }
  const malformed = await followUp('example', 'only for 2024', 'not-a-job', alice);
  expect([malformed.status, malformed.body.error.code]).toEqual([400, 'bad_request']);
  // Alice's own follow-up is taken.
  expect((await followUp('example', 'only for 2024', alicesJob, alice)).status).toBe(202);
});
