/**
 * A real BullMQ worker process that takes one job of the queue named by STUCK_QUEUE and
 * never finishes it, standing for a Flock worker that dies mid-query. The test SIGKILLs
 * it while it holds the job, so recovery runs through BullMQ's real lock expiry and
 * stalled-job handling. Started by spawnStuckWorker.
 */
import { Worker } from 'bullmq';

const queue = process.env.STUCK_QUEUE;
if (!queue) throw new Error('STUCK_QUEUE must name the queue whose job the stuck worker takes');

const worker = new Worker(
  queue,
  async (job) => {
    // The Flock job id from the payload: a chunk's BullMQ id only starts with it.
    process.stdout.write(`${JSON.stringify({ event: 'taken', jobId: (job.data as { jobId?: string }).jobId })}\n`);
    await new Promise(() => undefined);
  },
  {
    connection: { url: process.env.REDIS_URL, maxRetriesPerRequest: null },
    prefix: process.env.FLOCK_REDIS_PREFIX,
    // The same lock and stalled-check settings as the real workers of the test: BullMQ
    // throttles the stalled check queue-wide by the interval of whichever worker ran it.
    lockDuration: Number(process.env.FLOCK_LOCK_DURATION_SECONDS) * 1000,
    stalledInterval: Number(process.env.FLOCK_STALLED_INTERVAL_SECONDS) * 1000,
    concurrency: 1,
  },
);
worker.on('error', () => undefined);
