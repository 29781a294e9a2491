import { Queue } from 'bullmq';
import request from 'supertest';
import type { Express } from 'express';
import { createLogger } from '@flock/logger';
import type { MotherDuckConnector } from '@flock/motherduck';
import type { SqlGenerator } from '@flock/sql';
import { loadConfig } from '@flock/config';
import { freePort } from '@flock/local-redis';
import {
  TEST_ADMIN_API_KEY,
  spawnStuckWorker,
  spawnTs,
  spawnWorker,
  testEnv,
  waitFor,
  waitForQueueWorkers,
  type FlockProcess,
} from '@flock/testing';
import { createApiContext, type ApiContext } from '../../apps/api/src/api-context';
import { createApp } from '../../apps/api/src/app';
import { startWorkerRuntime, type WorkerRuntime } from '../../apps/worker/src/worker-runtime';
import { createSqlGenerators } from '../../apps/worker/src/sql-generator.factory';

export interface Harness {
  app: Express;
  /** The full environment the in-process API runs with; spawn workers with it to share its Redis prefix and settings. */
  env: Record<string, string>;
  api: ApiContext;
  worker?: WorkerRuntime;
  /** A worker process on this harness's Redis prefix and settings, logging at info; killed by close(). */
  spawnWorker(overrides?: Record<string, string>): FlockProcess;
  /** A worker process that takes one job of `queue` and never finishes it; killed by close(). */
  spawnStuckWorker(queue: string): FlockProcess;
  /**
   * An API process on this harness's Redis prefix and settings, logging at info (to the
   * file descriptor `stdout`, if given), once it listens; killed by close().
   */
  spawnApi(overrides?: Record<string, string>, options?: { stdout?: number }): Promise<SpawnedApi>;
  /** Resolves once `count` workers can take jobs of `queue` on this harness's prefix. */
  workersReady(queue: string, count: number): Promise<void>;
  close(): Promise<void>;
}

export interface SpawnedApi extends FlockProcess {
  /** Where it listens, as `http://127.0.0.1:port`. */
  base: string;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  generator?: SqlGenerator;
  /** Whether a worker runtime runs in-process. Default true. */
  worker?: boolean;
  /** Stands in for MotherDuck, for the buckets the env hosts there (MOTHERDUCK_TOKEN and FLOCK_MOTHERDUCK_DATABASES). */
  motherDuck?: MotherDuckConnector;
  /** Stands in for the LLM endpoint: the openai engine answers every bucket through it. */
  llm?: { baseUrl: string };
}

/** The API in-process and, optionally, one worker runtime in-process, sharing a fresh Redis prefix. */
export function startHarness(options: HarnessOptions = {}): Harness {
  const llmEnv: Record<string, string> = options.llm ? { FLOCK_SQL_GENERATOR: 'openai', FLOCK_LLM_BASE_URL: options.llm.baseUrl } : {};
  const env = testEnv({ ...llmEnv, ...options.env });
  const config = loadConfig(env);
  const logger = createLogger('e2e', 'silent');
  const warehouseOptions = { motherDuckConnector: options.motherDuck };
  const api = createApiContext(config, logger);
  const worker =
    options.worker === false
      ? undefined
      : startWorkerRuntime(config, options.generator ?? createSqlGenerators(config), logger, warehouseOptions);
  const processes: FlockProcess[] = [];
  const spawned = (process: FlockProcess) => {
    processes.push(process);
    return process;
  };
  const processEnv = { ...env, FLOCK_LOG_LEVEL: 'info' };
  return {
    app: createApp(api.deps),
    env,
    api,
    worker,
    spawnWorker: (overrides = {}) => spawned(spawnWorker({ ...processEnv, ...overrides })),
    spawnStuckWorker: (queue) => spawned(spawnStuckWorker(processEnv, queue)),
    async spawnApi(overrides = {}, spawnOptions = {}) {
      const port = await freePort();
      const api = spawned(
        spawnTs('apps/api/src/main.ts', { ...processEnv, PORT: String(port), HOST: '127.0.0.1', ...overrides }, spawnOptions),
      );
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => undefined))?.ok === true, { what: 'the API to listen' });
      return Object.assign(api, { base });
    },
    workersReady: (queue, count) => waitForQueueWorkers(env.REDIS_URL!, env.FLOCK_REDIS_PREFIX!, queue, count),
    async close() {
      await Promise.all(processes.splice(0).map((process) => process.kill('SIGKILL')));
      await worker?.close();
      await api.close();
    },
  };
}

/**
 * A harness for the enclosing describe block (or file), started before its first test
 * and closed after its last, or around every test with `perTest`. `options` is read
 * when it starts, so it may use stand-ins and folders made by hooks declared before it.
 * `restart` swaps in a harness with some options changed for the rest of the test.
 */
export function useHarness(
  options: () => HarnessOptions = () => ({}),
  { perTest = false } = {},
): Harness & { restart(changes: HarnessOptions): Promise<void> } {
  let current: Harness | undefined;
  const live = () => {
    if (!current) throw new Error('the harness starts in a hook; use it from a test');
    return current;
  };
  (perTest ? beforeEach : beforeAll)(() => {
    current = startHarness(options());
  });
  (perTest ? afterEach : afterAll)(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    get app() {
      return live().app;
    },
    get env() {
      return live().env;
    },
    get api() {
      return live().api;
    },
    get worker() {
      return live().worker;
    },
    spawnWorker: (overrides) => live().spawnWorker(overrides),
    spawnStuckWorker: (queue) => live().spawnStuckWorker(queue),
    spawnApi: (overrides, spawnOptions) => live().spawnApi(overrides, spawnOptions),
    workersReady: (queue, count) => live().workersReady(queue, count),
    close: () => live().close(),
    async restart(changes) {
      await live().close();
      const base = options();
      current = startHarness({ ...base, ...changes, env: { ...base.env, ...changes.env } });
    },
  };
}

export const asAdmin = (req: request.Test) => req.set('X-API-Key', TEST_ADMIN_API_KEY);

/**
 * A job's log lines (Bull Board's Logs tab) on the harness's Redis and prefix, once
 * `done` holds for them: a worker writes them just after the job's answer, so a settled
 * job's may not be there yet.
 */
export async function jobLogs(
  harness: Pick<Harness, 'env'>,
  queueName: string,
  jobId: string,
  done: (logs: string[]) => boolean,
  what: string,
): Promise<string[]> {
  const queue = new Queue(queueName, { connection: { url: harness.env.REDIS_URL! }, prefix: harness.env.FLOCK_REDIS_PREFIX! });
  try {
    return await waitFor(
      async () => {
        const { logs } = await queue.getJobLogs(jobId);
        return done(logs) ? logs : undefined;
      },
      { what },
    );
  } finally {
    await queue.close();
  }
}

/** Polls a job's URL until the job is no longer processing and returns the final body. */
async function settleAt(app: Express, url: string, what: string, timeoutMs: number): Promise<Record<string, any>> {
  return waitFor(
    async () => {
      const res = await asAdmin(request(app).get(url));
      if (res.status !== 200) throw new Error(`poll failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.data.status === 'processing' ? undefined : (res.body as Record<string, any>);
    },
    { timeoutMs, intervalMs: 25, what },
  );
}

export async function submit(app: Express, bucket: string, question: string): Promise<string> {
  const res = await asAdmin(request(app).post(`/api/v1/${bucket}/ask`)).send({ question });
  if (res.status !== 202) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.job_id as string;
}

/** Polls until the ask job is no longer processing and returns the final body. */
export function settle(app: Express, bucket: string, jobId: string, timeoutMs = 20_000): Promise<Record<string, any>> {
  return settleAt(app, `/api/v1/${bucket}/ask/jobs/${jobId}`, `job ${jobId}`, timeoutMs);
}

/** Submits a query-all job as the admin and returns its id. */
export async function submitQueryAll(app: Express, body: object): Promise<string> {
  const res = await asAdmin(request(app).post('/query-all')).send(body);
  if (res.status !== 202) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
  expect(res.body).toEqual({ data: { job_id: expect.any(String), status: 'processing' } });
  return res.body.data.job_id as string;
}

/** Polls until the query-all job is no longer processing and returns the final body. */
export function settleQueryAll(app: Express, jobId: string, timeoutMs = 30_000): Promise<Record<string, any>> {
  return settleAt(app, `/query-all/jobs/${jobId}`, `query-all job ${jobId}`, timeoutMs);
}
