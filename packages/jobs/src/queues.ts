import { Queue, QueueEvents, Worker, type ConnectionOptions, type Job, type WorkerOptions } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { JOB_CATALOG, type JobHandlers, type JobName, type JobPayloads } from './catalog';

export interface QueueSettings {
  connection: ConnectionOptions;
  /** Redis key prefix for BullMQ, so tests and deployments can share one Redis. */
  prefix: string;
}

export class JobQueue<N extends JobName> {
  readonly queue: Queue;

  constructor(
    readonly name: N,
    settings: QueueSettings,
  ) {
    this.queue = new Queue(JOB_CATALOG[name].queue, { connection: settings.connection, prefix: settings.prefix });
  }

  /** Enqueues a job under Flock's own id, with the catalog's attempts and removal policy. */
  async add(payload: JobPayloads[N] & { jobId: string }): Promise<void> {
    const entry = JOB_CATALOG[this.name];
    await this.queue.add(this.name, payload, { ...entry.options, jobId: payload.jobId });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export interface ConsumerOptions extends QueueSettings {
  concurrency: number;
  /** How long a job's lock lasts without renewal; see WorkerOptions.lockDuration. */
  lockDurationMs: number;
  /** How often stalled jobs (from dead workers) are looked for. */
  stalledIntervalMs: number;
}

/**
 * Starts one BullMQ worker per job in the catalog. The processor only parses the
 * payload and calls the handler: a payload that fails validation cannot be fixed by
 * retrying, so it ends with UnrecoverableError.
 */
export function startConsumers(handlers: JobHandlers, options: ConsumerOptions): Worker[] {
  return (Object.keys(JOB_CATALOG) as JobName[]).map((name) => {
    const entry = JOB_CATALOG[name];
    const workerOptions: WorkerOptions = {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      // One redelivery after a worker dies; a second death fails the job for good.
      maxStalledCount: 1,
    };
    return new Worker(
      entry.queue,
      async (job: Job) => {
        const { error, value } = entry.payload.validate(job.data);
        if (error) throw new UnrecoverableError(`Invalid ${name} payload: ${error.message}`);
        const attempt = job.attemptsMade + 1;
        return handlers[name](value as JobPayloads[typeof name], {
          attempt,
          lastAttempt: attempt >= (job.opts.attempts ?? 1),
        });
      },
      workerOptions,
    );
  });
}

/** BullMQ's failedReason for a job whose workers died more often than maxStalledCount allows. */
const STALLED_TOO_OFTEN = 'stalled more than allowable limit';

/**
 * Calls `onAbandoned` for jobs BullMQ gave up on because their workers kept dying.
 * BullMQ fails those inside a Lua script and announces it only on the queue's event
 * stream, not on any Worker, so without this the record would wait for the worker
 * timeout to read as failed.
 */
export function watchAbandonedJobs(
  name: JobName,
  settings: QueueSettings,
  onAbandoned: (jobId: string) => void,
): { close(): Promise<void> } {
  const events = new QueueEvents(JOB_CATALOG[name].queue, { connection: settings.connection, prefix: settings.prefix });
  events.on('failed', ({ jobId, failedReason }) => {
    if (failedReason.includes(STALLED_TOO_OFTEN)) onAbandoned(jobId);
  });
  return { close: () => events.close() };
}
