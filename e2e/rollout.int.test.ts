import { freePort } from '@flock/local-redis';
import { TEST_ADMIN_API_KEY, waitFor, type FlockProcess } from '@flock/testing';
import { useHarness, type SpawnedApi } from './support/flock-harness';

/**
 * A rolling deploy under load, as an orchestrator does it: every API and worker process
 * is replaced, one at a time, while clients keep asking. Clients reach the APIs through
 * a balancer that routes only to replicas whose /readyz answered 200 at its last check
 * (every 100 ms), and the workers' probes are on their operations ports. No request may
 * see a connection error, and every accepted ask must be answered.
 */
const flock = useHarness(() => ({ worker: false }));

const QUESTIONS = ['How many members do we have?', 'How many members by type?', 'How many active members do we have?'];
const headers = { 'X-API-Key': TEST_ADMIN_API_KEY, 'Content-Type': 'application/json' };

/** Round-robin over the replicas that were ready at the last probe. */
class Balancer {
  private readonly ready = new Set<string>();
  private turn = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly replicas: Set<string>) {
    this.timer = setInterval(() => void this.probe(), 100);
  }

  add(base: string): void {
    this.replicas.add(base);
  }

  remove(base: string): void {
    this.replicas.delete(base);
  }

  isReady(base: string): boolean {
    return this.ready.has(base);
  }

  async probe(): Promise<void> {
    await Promise.all(
      [...this.replicas].map(async (base) => {
        const ok = await fetch(`${base}/readyz`).then(
          (res) => res.ok,
          () => false,
        );
        if (ok) this.ready.add(base);
        else this.ready.delete(base);
      }),
    );
  }

  pick(): string {
    const ready = [...this.ready];
    if (ready.length === 0) throw new Error('no ready replica');
    return ready[this.turn++ % ready.length]!;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

it('replaces every API and worker process under load: no connection error, no ask lost', async () => {
  const settings = { FLOCK_SHUTDOWN_DELAY_SECONDS: '1', FLOCK_SHUTDOWN_TIMEOUT_SECONDS: '10' };
  const startWorker = async () => {
    const port = await freePort();
    const worker = flock.spawnWorker({ ...settings, FLOCK_WORKER_PORT: String(port), HOST: '127.0.0.1' });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200, {
      what: 'a worker to be ready',
    });
    return worker;
  };
  const apis: SpawnedApi[] = [await flock.spawnApi(settings), await flock.spawnApi(settings)];
  const workers: FlockProcess[] = [await startWorker(), await startWorker()];
  const balancer = new Balancer(new Set(apis.map((api) => api.base)));
  await balancer.probe();

  const failures: string[] = [];
  const answered: string[] = [];
  const accepted: string[] = [];
  let running = true;
  const call = async (path: string, init: RequestInit = {}) => {
    try {
      return await fetch(`${balancer.pick()}${path}`, { ...init, headers });
    } catch (error) {
      failures.push(`${path}: ${String((error as Error).cause ?? error)}`);
      throw error;
    }
  };
  const client = async (index: number) => {
    for (let turn = 0; running; turn++) {
      const question = QUESTIONS[(index + turn) % QUESTIONS.length]!;
      const res = await call('/api/v1/example/ask', { method: 'POST', body: JSON.stringify({ question }) });
      if (res.status !== 202) {
        failures.push(`submit answered ${res.status}`);
        continue;
      }
      const jobId = ((await res.json()) as { data: { job_id: string } }).data.job_id;
      accepted.push(jobId);
      for (;;) {
        // Held polls too: a replica that is stopping answers them at once, and the client polls another.
        const poll = await call(`/api/v1/example/ask/jobs/${jobId}?wait_ms=2000`);
        const body = (await poll.json()) as { data: { status: string } };
        if (poll.status !== 200) failures.push(`poll answered ${poll.status}`);
        if (body.data?.status === 'completed') break;
        if (body.data?.status === 'failed') {
          failures.push(`ask failed: ${JSON.stringify(body)}`);
          break;
        }
      }
      answered.push(jobId);
    }
  };
  const clients = Array.from({ length: 6 }, (_, i) => client(i).catch(() => undefined));

  const atLeast = (count: number) => waitFor(async () => answered.length >= count, { timeoutMs: 30_000, what: `${count} answers` });
  await atLeast(20);
  for (let i = 0; i < 2; i++) {
    // One API replica at a time: the new one joins the balancer once ready, then the old one is stopped.
    const replacement = await flock.spawnApi(settings);
    balancer.add(replacement.base);
    await waitFor(async () => (await balancer.probe(), balancer.isReady(replacement.base)), { what: 'the new API in the balancer' });
    const old = apis.shift()!;
    apis.push(replacement);
    old.child.kill('SIGTERM');
    // The old one's workers likewise: a new one first, then SIGTERM, with asks in flight.
    workers.push(await startWorker());
    const oldWorker = workers.shift()!;
    oldWorker.child.kill('SIGTERM');
    expect(await old.exited).toBe(0);
    expect(await oldWorker.exited).toBe(0);
    balancer.remove(old.base);
    await atLeast(answered.length + 10);
  }
  running = false;
  await Promise.all(clients);
  balancer.stop();

  expect(failures).toEqual([]);
  expect(accepted.length).toBeGreaterThan(40);
  expect(answered.sort()).toEqual(accepted.sort());
}, 120_000);
