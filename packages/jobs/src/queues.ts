import { FlowProducer, Queue, Worker, type ConnectionOptions, Job, type JobsOptions, type Telemetry, type WorkerOptions } from 'bullmq';
import { DelayedError, MetricsTime, UnrecoverableError } from 'bullmq';
import { PermanentFailure } from '@flock/errors';
import { webhookStepId } from './ids';
import type { FlockRedis } from './redis-client';
import { JOB_CATALOG, type JobContext, type JobHandlers, type JobName, type JobPayloads } from './catalog';

export type { Telemetry } from 'bullmq';

export interface QueueSettings {
  connection: ConnectionOptions;
  /** Redis key prefix for BullMQ, so tests and deployments can share one Redis. */
  prefix: string;
  /**
   * Where the connection errors of the queues, flows and event readers built from these
   * settings go. Without it BullMQ and ioredis print every failed reconnect to stderr,
   * stack and all, many times a second while Redis is away.
   */
  onError?: (error: Error) => void;
  /** BullMQ's OpenTelemetry hook, when tracing is on: the trace goes from the add into the job's processing. */
  telemetry?: Telemetry;
}

export class JobQueue<N extends JobName> {
  readonly queue: Queue;

  constructor(
    readonly name: N,
    settings: QueueSettings,
  ) {
    this.queue = new Queue(JOB_CATALOG[name].queue, {
      connection: settings.connection,
      prefix: settings.prefix,
      ...(settings.telemetry ? { telemetry: settings.telemetry } : {}),
    });
  }

  /**
   * Enqueues a job under Flock's own id, with the catalog's attempts and removal policy;
   * `options` changes them for this job (another id, a delay, attempts from config).
   */
  async add(payload: JobPayloads[N] & { jobId: string }, options: JobsOptions = {}): Promise<void> {
    const entry = JOB_CATALOG[this.name];
    await this.queue.add(this.name, payload, { ...entry.options, jobId: payload.jobId, ...options });
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}

export interface WebhookQueueOptions {
  /** FLOCK_WEBHOOK_ATTEMPTS: attempts at one delivery, the first included. */
  attempts: number;
  /** FLOCK_WEBHOOK_BACKOFF_SECONDS, in ms: the wait before the first retry, doubling after each. */
  backoffMs: number;
}

/**
 * Webhook deliveries, one per job that asked for one (`{id}-webhook`). A delivery is
 * added when its job is submitted, delayed until the job's deadline, and woken as soon
 * as the job's answer is stored. So a finish cannot be lost between "answer stored" and
 * "delivery enqueued": were the wake lost (a worker dying in between), the delivery
 * still runs at the deadline, and a job that times out, which no process writes, is
 * delivered the same way.
 */
export class WebhookQueue extends JobQueue<'webhook'> {
  constructor(
    settings: QueueSettings,
    private readonly options: WebhookQueueOptions,
  ) {
    super('webhook', settings);
  }

  /** Adds the delivery of `jobId`'s answer, to run in `delayMs` unless woken sooner; a second add is a no-op. */
  async schedule(jobId: string, delayMs: number): Promise<void> {
    await this.add(
      { jobId },
      {
        jobId: webhookStepId(jobId),
        delay: Math.max(0, delayMs),
        attempts: this.options.attempts,
        backoff: { type: 'exponential', delay: this.options.backoffMs },
      },
    );
  }

  /** Runs the delivery of `jobId` now, if it is waiting for its delay; nothing when there is none, or it runs already. */
  async wake(jobId: string): Promise<void> {
    const job = await Job.fromId(this.queue, webhookStepId(jobId));
    // Promoting fails when the delivery is no longer delayed: it is running, or done.
    await job?.promote().catch(() => undefined);
  }
}

export interface FlowStep<N extends JobName> {
  name: N;
  /** BullMQ job id; deterministic, so adding the same flow twice (a retried planner) is a no-op. */
  id: string;
  payload: JobPayloads[N];
}

/**
 * Adds a parent job and its children in one atomic step (BullMQ's FlowProducer): the
 * parent runs once every child has finished or, for children whose catalog entry
 * ignores failures, failed for good.
 */
export class FlowQueue {
  private readonly producer: FlowProducer;

  constructor(settings: QueueSettings) {
    this.producer = new FlowProducer({
      connection: settings.connection,
      prefix: settings.prefix,
      ...(settings.telemetry ? { telemetry: settings.telemetry } : {}),
    });
    if (settings.onError) this.producer.on('error', settings.onError);
  }

  async add<P extends JobName, C extends JobName>(parent: FlowStep<P>, children: FlowStep<C>[]): Promise<void> {
    await this.producer.add({
      name: parent.name,
      queueName: JOB_CATALOG[parent.name].queue,
      data: parent.payload,
      opts: { ...JOB_CATALOG[parent.name].options, jobId: parent.id },
      children: children.map((child) => ({
        name: child.name,
        queueName: JOB_CATALOG[child.name].queue,
        data: child.payload,
        opts: { ...JOB_CATALOG[child.name].options, jobId: child.id },
      })),
    });
  }

  close(): Promise<void> {
    return this.producer.close();
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
  // By queue name, so a chunk can reach its parent (the merge) in the parent's queue.
  const byQueue = new Map<string, Worker>();
  const workers = (Object.keys(JOB_CATALOG) as JobName[]).map((name) => {
    const entry = JOB_CATALOG[name];
    const workerOptions: WorkerOptions = {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs,
      stalledInterval: options.stalledIntervalMs,
      // One redelivery after a worker dies; a second death fails the job for good.
      maxStalledCount: 1,
      // Per-minute counts of finished jobs, kept a day in Redis: what the API's
      // bullmq_job_completed_total and bullmq_job_failed_total read.
      metrics: { maxDataPoints: MetricsTime.ONE_HOUR * 24 },
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    };
    const worker: Worker = new Worker(
      entry.queue,
      async (job: Job, token?: string) => {
        const { error, value } = entry.payload.validate(job.data);
        if (error) throw new UnrecoverableError(`Invalid ${name} payload: ${error.message}`);
        const attempt = job.attemptsMade + 1;
        // The catalog validated the payload for this very name; TypeScript cannot follow that across the union.
        const handler = handlers[name] as (payload: unknown, context: JobContext) => Promise<unknown>;
        return withPermanentFailures(handler, value, {
          attempt,
          lastAttempt: attempt >= (job.opts.attempts ?? 1),
          postpone: async (delayMs, whileDelayed) => {
            // Back to the queue's delayed set without counting an attempt; BullMQ wants
            // the DelayedError thrown after the move.
            await job.moveToDelayed(Date.now() + delayMs, token);
            await whileDelayed?.().catch(() => undefined); // the delay alone still brings it back
            throw new DelayedError();
          },
          wake: async (jobId) => {
            // Fails when the job is no longer delayed (it woke on its own, or was taken): nothing to do then.
            await (await Job.fromId(worker, jobId))?.promote().catch(() => undefined);
          },
          onlyWaiting: async (bucket) => {
            const client = (await worker.backend.client) as unknown as FlockRedis;
            const only = await client.eval(
              ONLY_WAITING,
              1,
              worker.toKey('wait'),
              `"bucket":${JSON.stringify(bucket)}`,
              WAITING_SCANNED,
              worker.toKey(''),
            );
            return only === 1;
          },
          log: async (...lines) => {
            // All lines in one script run, onto the list job.log() appends to: job.log()
            // costs a script run and a round trip per line, about 3% of a worker's CPU at
            // three lines an ask. Like job.log(), it writes nothing once the job is gone,
            // which would leave a list no sweep removes.
            if (lines.length === 0) return;
            // BullMQ types its client as its own interface; on Redis it is the ioredis client it was given.
            const client = worker.backend.client as unknown as Promise<FlockRedis>;
            const key = worker.toKey(job.id!);
            await client.then((redis) => redis.eval(APPEND_LOG, 2, key, `${key}:logs`, ...lines)).catch(() => undefined);
          },
          progressParent: async (percent) => {
            const parent = job.parent;
            const parentWorker = parent && byQueue.get(parent.queueKey.slice(options.prefix.length + 1));
            if (!parent?.id || !parentWorker) return;
            try {
              const parentJob = await Job.fromId(parentWorker, parent.id);
              await parentJob?.updateProgress(Math.min(100, Math.round(percent)));
            } catch {
              // Best effort, like the logs: a Redis blip must not fail a chunk whose part is stored.
            }
          },
        });
      },
      workerOptions,
    );
    byQueue.set(entry.queue, worker);
    return worker;
  });
  return workers;
}

/** How many waiting jobs `onlyWaiting` reads at most; more than that and the queue counts as shared. */
export const WAITING_SCANNED = 64;

/**
 * KEYS[1] the queue's wait list; ARGV: `"bucket":` and the bucket as JSON, the most to
 * read, the stem of the queue's job keys (they share the queue's hash tag). 1 when every
 * waiting job's payload names that bucket. A payload is searched, not decoded: a
 * question can be 10 kB and a follow-up's SQL 100 kB, too much to parse 64 times on each
 * ask. The search is exact: a payload's only `bucket` key is its own, and text inside a
 * JSON string has its quotes escaped, so a question quoting `"bucket":"x"` cannot match.
 * Only the payload's head is searched, where JSON.stringify puts the bucket (after the
 * job id); a payload laid out otherwise reads as another bucket's, which only stops lending.
 */
const ONLY_WAITING = `if redis.call('LLEN', KEYS[1]) > tonumber(ARGV[2]) then return 0 end
for _, id in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local data = redis.call('HGET', ARGV[3] .. id, 'data')
  if data and not string.find(string.sub(data, 1, 256), ARGV[1], 1, true) then return 0 end
end
return 1`;

/** Appends ARGV to a job's log list (KEYS[2]) while its hash (KEYS[1]) exists. */
const APPEND_LOG = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('RPUSH', KEYS[2], unpack(ARGV))`;

/** Runs a handler; a PermanentFailure it throws ends the job at once, without the attempts it has left. */
async function withPermanentFailures(
  handler: (payload: unknown, context: JobContext) => Promise<unknown>,
  payload: unknown,
  context: JobContext,
): Promise<unknown> {
  try {
    return await handler(payload, context);
  } catch (error) {
    if (error instanceof PermanentFailure) throw new UnrecoverableError(error.message);
    throw error;
  }
}

/** BullMQ's failedReason for a job whose workers died more often than maxStalledCount allows. */
const STALLED_TOO_OFTEN = 'stalled more than allowable limit';

/**
 * Calls `onAbandoned` for jobs BullMQ gave up on because their workers kept dying, so
 * their records say so at once rather than read `processing` until the worker timeout.
 * BullMQ 6.7's stalled-job check marks such a job to fail and puts it back in its
 * queue; the next worker to take it fails it there, with `failedReason` saying it
 * stalled too often, and emits `failed` on that Worker only. So every worker process
 * listens on its own consumers: no Redis reads, where a QueueEvents reader per queue
 * parsed every event of every job (about ten an ask) to find these.
 */
export function watchAbandonedJobs(workers: readonly Worker[], names: readonly JobName[], onAbandoned: (jobId: string) => void): void {
  const queues = new Set<string>(names.map((name) => JOB_CATALOG[name].queue));
  for (const worker of workers.filter((w) => queues.has(w.name))) {
    worker.on('failed', (job, error) => {
      if (job?.id && error.message.includes(STALLED_TOO_OFTEN)) onAbandoned(job.id);
    });
  }
}

/**
 * Removes BullMQ's own entries for finished jobs (their hashes, logs and a flow's
 * dependency keys) once they are older than `ageMs`, checking every `everyMs`. BullMQ's
 * removeOnComplete and removeOnFail by age only run when a later job finishes, so on an
 * idle system a job's keys, its results among them, would outlive its record for good.
 * Each queue's events stream, which names jobs too, is cut to the same age.
 * Every worker replica may run one: a clean is idempotent.
 */
export function sweepFinishedJobs(
  settings: QueueSettings,
  redis: FlockRedis,
  options: { ageMs: number; everyMs: number },
): { close(): Promise<void> } {
  const queues = (Object.keys(JOB_CATALOG) as JobName[]).map((name) => {
    const queue = new Queue(JOB_CATALOG[name].queue, { connection: settings.connection, prefix: settings.prefix });
    if (settings.onError) queue.on('error', settings.onError);
    return queue;
  });
  let sweeping: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    // A stream entry's id is its time, so MINID drops exactly the events older than the jobs kept.
    const oldest = String(Date.now() - options.ageMs);
    sweeping = Promise.all(
      queues.flatMap((queue) => [
        queue.clean(options.ageMs, 10_000, 'completed'),
        queue.clean(options.ageMs, 10_000, 'failed'),
        redis.xtrim(queue.keys.events!, 'MINID', oldest),
      ]),
    ).catch(() => undefined); // Redis away: the next sweep tries again
  }, options.everyMs);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await sweeping;
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}
