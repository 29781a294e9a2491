import { Queue } from 'bullmq';
import request from 'supertest';
import { QUEUE_NAMES, chunkStepId, mergeStepId } from '@flock/jobs';
import { waitFor } from '@flock/testing';
import { asAdmin, jobLogs, settle, settleQueryAll, submit, submitQueryAll, useHarness } from './support/flock-harness';

/**
 * What Bull Board shows of a job (issue 18): its steps in the Logs tab (BullMQ's job
 * logs) and, for a fan-out, its progress; and the progress a query-all's poll carries.
 */
const flock = useHarness(() => ({ env: { FLOCK_QUERY_ALL_CHUNK_SIZE: '1', FLOCK_WORKER_CONCURRENCY: '1' } }));

const queue = (name: string) => new Queue(name, { connection: { url: flock.env.REDIS_URL! }, prefix: flock.env.FLOCK_REDIS_PREFIX! });

const logsOf = (queueName: string, jobId: string, count: number) =>
  jobLogs(flock, queueName, jobId, (logs) => logs.length >= count, `${count} log lines of ${jobId}`);

it("logs an answered ask's steps: engine, schema, generation, guard, execution; never a value", async () => {
  const jobId = await submit(flock.app, 'example', 'How many members by type?');
  const body = await settle(flock.app, 'example', jobId);
  expect(body.data.status).toBe('completed');
  const logs = await logsOf(QUEUE_NAMES.ask, jobId, 3);
  expect(logs).toEqual([
    expect.stringMatching(/^engine builtin; schema (from the cache|read from the database)$/),
    expect.stringMatching(/^SQL generated in \d+ ms \(1 try\); guard: passed$/),
    `executed in ${body.meta.execution_time_ms} ms: ${body.data.rows.length} rows of ${body.meta.total_rows}, truncated: false; answer stored`,
  ]);
  const values = body.data.rows.flat().filter((value: unknown) => typeof value === 'string');
  expect(values.length).toBeGreaterThan(0);
  for (const value of values) expect(logs.join('\n')).not.toContain(value);
});

it("logs a refused ask's failure code", async () => {
  const jobId = await submit(flock.app, 'example', 'Which colour is the sky?');
  const body = await settle(flock.app, 'example', jobId);
  expect(body.data.status).toBe('failed');
  expect(await logsOf(QUEUE_NAMES.ask, jobId, 2)).toEqual([expect.stringMatching(/^engine builtin; /), `failed: ${body.data.error_code}`]);
});

it("reports a query-all's progress in its poll, each chunk's outcome in its log, and the merge's progress on the board", async () => {
  // Slow enough per database (tens of millions of rows counted) that polls see it part-way.
  const sql = 'SELECT count(*) AS n FROM member, range(30000) AS r(i)';
  const jobId = await submitQueryAll(flock.app, { sql, buckets: ['example', 'jec'] });
  const seen: { databases_done: number; databases_total: number }[] = [];
  const body = await waitFor(
    async () => {
      const res = await asAdmin(request(flock.app).get(`/query-all/jobs/${jobId}`));
      if (res.body.data.progress) seen.push(res.body.data.progress);
      return res.body.data.status === 'processing' ? undefined : res.body;
    },
    { timeoutMs: 30_000, intervalMs: 5, what: 'the query-all to finish' },
  );
  expect(body.data.status).toBe('completed');
  expect(body.data.progress).toBeUndefined();
  // Polls saw it running, with the right total, and it never went back.
  expect(seen.length).toBeGreaterThan(0);
  expect(seen[0]!.databases_done).toBeLessThan(2);
  for (const progress of seen) expect(progress.databases_total).toBe(2);
  const done = seen.map((progress) => progress.databases_done);
  expect(done).toEqual([...done].sort((a, b) => a - b));

  const chunkLogs = await logsOf(QUEUE_NAMES.queryAllChunk, chunkStepId(jobId, 1), 2);
  expect(chunkLogs[0]).toMatch(/^chunk 1: 1 queried, 0 skipped, 0 errored, in \d+ ms$/);
  expect(chunkLogs[1]).toMatch(/^progress: [12] of 2 databases$/);
  const mergeQueue = queue(QUEUE_NAMES.queryAllMerge);
  try {
    expect((await mergeQueue.getJob(mergeStepId(jobId)))?.progress).toBe(100);
    expect((await mergeQueue.getJobLogs(mergeStepId(jobId))).logs).toEqual([
      'merged 2 chunks: 2 queried, 0 skipped, 0 errored, 2 rows, outcome stored',
    ]);
  } finally {
    await mergeQueue.close();
  }
  expect((await logsOf(QUEUE_NAMES.queryAll, jobId, 2))[1]).toBe('2 databases in 2 chunks of up to 1');
  // Settled the usual way too: the same answer.
  expect((await settleQueryAll(flock.app, jobId)).data.rows).toHaveLength(2);
});
