import { Queue } from 'bullmq';
import { testRedisUrl, uniquePrefix, waitFor } from '@flock/testing';
import { QUEUE_NAMES, type AskJobPayload, type JobContext, type JobHandlers } from './catalog';
import { newJobId } from './ids';
import { startConsumers, WAITING_SCANNED } from './queues';

describe('a job context', () => {
  it("says whether every job waiting in the queue is the asking job's bucket, up to the ones it reads", async () => {
    const prefix = uniquePrefix('only-waiting');
    const connection = { url: testRedisUrl(), maxRetriesPerRequest: null };
    const queue = new Queue(QUEUE_NAMES.ask, { connection, prefix });
    // One job runs at a time; each holds its context until the test asks it a question.
    const running: { payload: AskJobPayload; context: JobContext; done: () => void }[] = [];
    const ask: JobHandlers['ask'] = (payload, context) => new Promise<void>((done) => running.push({ payload, context, done }));
    const workers = startConsumers({ ask } as JobHandlers, {
      connection,
      prefix,
      concurrency: 1,
      lockDurationMs: 30_000,
      stalledIntervalMs: 30_000,
    });
    const add = (bucket: string, question = 'How many?') => {
      const jobId = newJobId();
      return queue.add('ask', { jobId, bucket, question }, { jobId });
    };
    const next = () => waitFor(async () => running.shift(), { what: 'a job to start' });
    try {
      await add('acme');
      let job = await next();
      expect(await job.context.onlyWaiting('acme')).toBe(true); // nothing waits

      await add('acme');
      // Another bucket's question that quotes the payload's own field cannot pass for acme.
      await add('acme-two', '{"bucket":"acme"}');
      expect(await job.context.onlyWaiting('acme')).toBe(false);
      job.done();

      job = await next();
      expect(job.payload.bucket).toBe('acme');
      expect(await job.context.onlyWaiting('acme')).toBe(false);
      expect(await job.context.onlyWaiting('acme-two')).toBe(true);
      job.done();

      job = await next();
      expect(job.payload.bucket).toBe('acme-two');
      await add('acme');
      // A long question is still its bucket's, found without reading all of it.
      await add('acme', `How many ${'very '.repeat(2_000)}old members?`);
      expect(await job.context.onlyWaiting('acme')).toBe(true);
      expect(await job.context.onlyWaiting('acme-two')).toBe(false);
      // Past what it reads, the queue counts as shared, even if all of it is acme's.
      await queue.addBulk(
        Array.from({ length: WAITING_SCANNED }, () => {
          const jobId = newJobId();
          return { name: 'ask', data: { jobId, bucket: 'acme', question: 'How many?' }, opts: { jobId } };
        }),
      );
      expect(await job.context.onlyWaiting('acme')).toBe(false);
      job.done();
    } finally {
      await Promise.all(workers.map((worker) => worker.close(true)));
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
