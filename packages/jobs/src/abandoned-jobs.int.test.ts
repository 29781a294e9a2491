import { Queue, Worker } from 'bullmq';
import { testRedisUrl, uniquePrefix, waitFor } from '@flock/testing';
import { QUEUE_NAMES } from './catalog';
import { watchAbandonedJobs } from './queues';

describe('watchAbandonedJobs', () => {
  it('reports a job BullMQ failed because its worker died, and not a job that failed for another reason', async () => {
    const prefix = uniquePrefix('abandoned');
    const connection = { url: testRedisUrl(), maxRetriesPerRequest: null };
    const queue = new Queue(QUEUE_NAMES.ask, { connection, prefix });
    // A worker that takes the job and dies with it: its lock is never renewed. (Workers
    // share one stalled check per interval, so each one's interval is short.)
    const dying = new Worker(QUEUE_NAMES.ask, () => new Promise(() => undefined), {
      connection,
      prefix,
      lockDuration: 300,
      stalledInterval: 200,
    });
    let survivor: Worker | undefined;
    try {
      await queue.add('ask', {}, { jobId: 'abandoned' });
      await waitFor(async () => (await queue.getActiveCount()) === 1, { what: 'the job to be taken' });
      await dying.close(true);
      // Another worker finds the job's lock lapsed and, allowed no redelivery, fails it.
      survivor = new Worker(
        QUEUE_NAMES.ask,
        async (): Promise<void> => {
          throw new Error('a failure of its own');
        },
        { connection, prefix, lockDuration: 300, stalledInterval: 200, maxStalledCount: 0 },
      );
      const reported: string[] = [];
      watchAbandonedJobs([survivor], ['ask'], (id) => reported.push(id));
      await queue.add('ask', {}, { jobId: 'failed-normally' });
      await waitFor(async () => (await queue.getFailedCount()) === 2, { what: 'both jobs to fail' });
      // The event follows the script that failed the job.
      await waitFor(async () => reported.length > 0, { what: 'the abandoned job to be reported' });
      expect(reported).toEqual(['abandoned']);
    } finally {
      await survivor?.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
