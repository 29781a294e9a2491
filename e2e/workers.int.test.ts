import { Queue } from 'bullmq';
import request from 'supertest';
import { QUEUE_NAMES } from '@flock/jobs';
import { freePort } from '@flock/local-redis';
import { TEST_ADMIN_API_KEY, logEntries, referenceRows, untilTaken, waitFor, type FlockProcess } from '@flock/testing';
import { asAdmin, settle, startHarness, submit, useHarness } from './support/flock-harness';

const QUESTIONS = ['How many members do we have?', 'How many members by type?', 'How many active members do we have?'];

describe('worker processes', () => {
  // The API in-process; workers are separate processes, as operators run them.
  const flock = useHarness(() => ({ worker: false }), { perTest: true });

  it('two workers share 200 jobs: every job answered exactly once, none lost', async () => {
    // At debug, where a worker logs each answer it stores.
    const a = flock.spawnWorker({ FLOCK_LOG_LEVEL: 'debug' });
    const b = flock.spawnWorker({ FLOCK_LOG_LEVEL: 'debug' });
    // Both taking jobs before any arrives: the first to start could otherwise answer all 200.
    await flock.workersReady(QUEUE_NAMES.ask, 2);
    const buckets = ['example', 'jec'];
    const jobs = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const bucket = buckets[i % 2]!;
        return { bucket, jobId: await submit(flock.app, bucket, QUESTIONS[i % QUESTIONS.length]!) };
      }),
    );
    const bodies = await Promise.all(jobs.map(({ bucket, jobId }) => settle(flock.app, bucket, jobId, 60_000)));
    expect(bodies.every((body) => body.data.status === 'completed')).toBe(true);

    // Each worker logs the outcome of every job it handled; exactly one answer was stored per job.
    const storedBy = (worker: FlockProcess) => logEntries(worker, { outcome: 'stored' }).map((entry) => entry.jobId);
    // A job reads as completed a moment before its worker's log line reaches this process.
    await waitFor(async () => storedBy(a).length + storedBy(b).length >= jobs.length, { what: 'the workers to log every job' });
    expect([...storedBy(a), ...storedBy(b)].sort()).toEqual(jobs.map((job) => job.jobId).sort());
    // Both replicas took part.
    expect(storedBy(a).length).toBeGreaterThan(0);
    expect(storedBy(b).length).toBeGreaterThan(0);
  });

  it('a job whose worker is SIGKILLed mid-run is picked up again and answered', async () => {
    const stuck = flock.spawnStuckWorker(QUEUE_NAMES.ask);
    const jobId = await submit(flock.app, 'example', 'How many members do we have?');
    await untilTaken(stuck, jobId);
    await stuck.kill('SIGKILL');

    flock.spawnWorker();
    const body = await settle(flock.app, 'example', jobId, 30_000);
    expect(body.data).toMatchObject({ status: 'completed', rows: await referenceRows('example', 'SELECT count(*) FROM member') });
  });

  it('a worker stops cleanly on SIGTERM', async () => {
    const worker = flock.spawnWorker();
    const jobId = await submit(flock.app, 'example', 'How many members by type?');
    expect((await settle(flock.app, 'example', jobId)).data.status).toBe('completed');
    expect(await worker.kill('SIGTERM')).toBe(0);
    // It handled the signal once, rather than being ended by it.
    expect(logEntries(worker, { event: 'shutting_down', reason: 'SIGTERM' })).toHaveLength(1);
  });

  it('a worker stopped mid-query interrupts it at the deadline and hands the job to another worker', async () => {
    const slow = { FLOCK_SHUTDOWN_TIMEOUT_SECONDS: '1', FLOCK_QUERY_TIMEOUT_SECONDS: '120' };
    const queries = new Queue(QUEUE_NAMES.query, { connection: { url: flock.env.REDIS_URL! }, prefix: flock.env.FLOCK_REDIS_PREFIX });
    const running = () => waitFor(async () => (await queries.getActiveCount()) === 1, { what: 'the query to run' });
    try {
      const first = flock.spawnWorker(slow);
      // Interruptible, and minutes long: only the shutdown can end it in time.
      const answer = asAdmin(request(flock.app).post('/api/v1/example/query')).send({
        sql: 'SELECT count(*) FROM range(1000000000000) t(x) WHERE x % 7 = 3',
      });
      const answered = answer.then((response) => response);
      await running();
      expect(await first.kill('SIGTERM')).toBe(0);
      expect(logEntries(first, { event: 'shutdown_interrupting' })).toHaveLength(1);
      expect(logEntries(first, { event: 'job_interrupted', lastAttempt: false })).toHaveLength(1);

      // Handed back, not left processing: the next worker takes it at once.
      const second = flock.spawnWorker(slow);
      await running();
      expect(await second.kill('SIGTERM')).toBe(0);
      expect(logEntries(second, { event: 'job_interrupted', lastAttempt: true })).toHaveLength(1);

      // Its last attempt is stored as failed, with the code that says to try again.
      const response = await answered;
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('worker_timeout');
    } finally {
      await queries.close();
    }
  });

  it('exits on SIGTERM even when its Redis never answered, instead of hanging', async () => {
    const port = await freePort(); // nothing listens there
    const worker = flock.spawnWorker({ REDIS_URL: `redis://127.0.0.1:${port}`, FLOCK_SHUTDOWN_TIMEOUT_SECONDS: '1' });
    await waitFor(async () => logEntries(worker, { event: 'worker_started' }).length > 0, { what: 'the worker to start' });
    // Closing its connections waits on a Redis that is not there; the deadline ends it.
    expect(await worker.kill('SIGTERM')).toBe(1);
    expect(logEntries(worker, { event: 'shutdown_deadline' })).toHaveLength(1);
  });

  it('refuses to start with a bad setting, naming it in one line', async () => {
    const worker = flock.spawnWorker({ FLOCK_QUERY_THREADS: 'many' });
    expect(await worker.exited).toBe(1);
    expect(worker.stderr.join('').trim()).toBe('Invalid configuration: FLOCK_QUERY_THREADS must be a number');
  });

  it('answers polls from any API replica', async () => {
    flock.spawnWorker();
    const other = startHarness({ worker: false, env: { FLOCK_REDIS_PREFIX: flock.env.FLOCK_REDIS_PREFIX! } });
    try {
      const jobId = await submit(flock.app, 'example', 'How many members do we have?');
      const body = await settle(other.app, 'example', jobId);
      expect(body.data.status).toBe('completed');
      expect((await request(flock.app).get(`/api/v1/example/ask/jobs/${jobId}`).set('X-API-Key', TEST_ADMIN_API_KEY)).body).toEqual(body);
    } finally {
      await other.close();
    }
  });
});
