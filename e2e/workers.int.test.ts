import request from 'supertest';
import { TEST_ADMIN_API_KEY, logEntries, referenceRows, spawnTs, spawnWorker, waitFor, type FlockProcess } from '@flock/testing';
import { settle, startHarness, submit, type Harness } from './support/flock-harness';

const QUESTIONS = ['How many members do we have?', 'How many members by type?', 'How many active members do we have?'];

describe('worker processes', () => {
  let flock: Harness;
  const processes: FlockProcess[] = [];

  beforeEach(() => {
    // The API in-process; workers are separate processes, as operators run them.
    flock = startHarness({ worker: false });
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
    await flock.close();
  });

  const workerEnv = () => ({ ...flock.env, FLOCK_LOG_LEVEL: 'info' });

  it('two workers share 200 jobs: every job answered exactly once, none lost', async () => {
    const a = spawnWorker(workerEnv());
    const b = spawnWorker(workerEnv());
    processes.push(a, b);
    const buckets = ['example', 'jec'];
    const jobs = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const bucket = buckets[i % 2]!;
        return { bucket, jobId: await submit(flock.app, bucket, QUESTIONS[i % QUESTIONS.length]!) };
      }),
    );
    const bodies = await Promise.all(jobs.map(({ bucket, jobId }) => settle(flock.app, bucket, jobId, 60_000)));
    expect(bodies.every((body) => body.data.status === 'completed')).toBe(true);

    const answered = [...logEntries(a, 'ask job answered'), ...logEntries(b, 'ask job answered')];
    const stored = answered.filter((entry) => entry.outcome === 'stored').map((entry) => entry.jobId);
    expect(stored.sort()).toEqual(jobs.map((job) => job.jobId).sort());
    expect(new Set(stored).size).toBe(200);
    // Both replicas took part.
    expect(logEntries(a, 'ask job answered').length).toBeGreaterThan(0);
    expect(logEntries(b, 'ask job answered').length).toBeGreaterThan(0);
  });

  it('a job whose worker is SIGKILLed mid-run is picked up again and answered', async () => {
    const stuck = spawnTs('e2e/support/stuck-worker.ts', workerEnv());
    processes.push(stuck);
    const jobId = await submit(flock.app, 'example', 'How many members do we have?');
    await waitFor(async () => stuck.lines.some((line) => line.includes(jobId)), { what: 'the stuck worker to take the job' });
    stuck.child.kill('SIGKILL');
    await stuck.exited;

    const rescuer = spawnWorker(workerEnv());
    processes.push(rescuer);
    const body = await settle(flock.app, 'example', jobId, 30_000);
    expect(body.data).toMatchObject({ status: 'completed', rows: await referenceRows('example', 'SELECT count(*) FROM member') });
  });

  it('a worker stops cleanly on SIGTERM', async () => {
    const worker = spawnWorker(workerEnv());
    processes.push(worker);
    await waitFor(async () => logEntries(worker, 'worker started').length > 0, { what: 'worker start' });
    const jobId = await submit(flock.app, 'example', 'How many members by type?');
    expect((await settle(flock.app, 'example', jobId)).data.status).toBe('completed');
    expect(await worker.kill('SIGTERM')).toBe(0);
    expect(logEntries(worker, 'shutting down')).toHaveLength(1);
  });

  it('refuses to start with a bad setting, naming it in one line', async () => {
    const worker = spawnWorker({ ...workerEnv(), FLOCK_QUERY_THREADS: 'many' });
    expect(await worker.exited).toBe(1);
    expect(worker.stderr.join('').trim()).toBe('Invalid configuration: FLOCK_QUERY_THREADS must be a number');
  });

  it('answers polls from any API replica', async () => {
    const worker = spawnWorker(workerEnv());
    processes.push(worker);
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

