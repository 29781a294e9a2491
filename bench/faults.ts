/**
 * What operators size and plan for, measured on real processes (issue 17), each against
 * a baseline or target printed beside it:
 *
 * 1. Redis bytes per ask and per capped query-all: what Redis counts for every key
 *    under Flock's prefix (MEMORY USAGE), before and after, against the bytes of the
 *    answer itself;
 * 2. with Redis refusing writes (maxmemory reached): the workers' log lines in 5 s
 *    (target at most 100);
 * 3. with Redis down: how long POST /ask and a poll take to answer 503 (target 2 s), and
 *    how long after Redis is back an ask completes again (target 10 s);
 * 4. SIGTERM: when the API exits with one request in flight, against when that request
 *    is answered; when a worker exits mid-query, against its deadline plus one second.
 *
 *   pnpm bench:faults [--asks 200] [--buckets 177]
 */
import { Redis } from 'ioredis';
import { startLocalRedis, type LocalRedis } from '@flock/local-redis';
import { redisBytesUnder } from '@flock/testing';
import { keptWarehouses, percentile, sleep, startBenchFlock, type BenchFlock } from './support';

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

const ASKS = arg('asks', 200);
const BUCKETS = arg('buckets', 177);
const QUESTIONS = ['How many active members do we have?', 'How many members by type?', 'Total payments by currency for 2024'];
/** Wide rows from every bucket: the answer is held to FLOCK_MAX_RESULT_BYTES (400 KB). */
const CAPPED_QUERY_ALL = 'SELECT id, first_name, last_name, email, membership_type, status, country FROM member ORDER BY id';
const LONG_QUERY = 'SELECT count(*) FROM range(1000000000000) t(x) WHERE x % 7 = 3';

/** The parts of a reply this benchmark reads. */
interface Reply {
  data?: { job_id?: string; status?: string };
  meta?: { truncated?: boolean };
}

async function call(
  flock: BenchFlock,
  method: string,
  url: string,
  body?: object,
  signal?: AbortSignal,
): Promise<{ status: number; body: Reply | undefined; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${flock.base}${url}`, {
    method,
    headers: flock.headers,
    signal,
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Reply) : undefined, ms: performance.now() - started };
}

/** Submits an ask and polls it to its end; the final body's size is the answer's. */
async function ask(flock: BenchFlock, bucket: string, question: string): Promise<{ jobId: string; bytes: number }> {
  const submitted = await call(flock, 'POST', `/api/v1/${bucket}/ask`, { question });
  if (submitted.status !== 202) throw new Error(`ask not accepted: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const jobId = submitted.body!.data!.job_id!;
  for (;;) {
    const poll = await call(flock, 'GET', `/api/v1/${bucket}/ask/jobs/${jobId}`);
    if (poll.body?.data?.status === 'completed') return { jobId, bytes: JSON.stringify(poll.body).length };
    if (poll.body?.data?.status === 'failed') throw new Error(`ask failed: ${JSON.stringify(poll.body)}`);
    await sleep(5);
  }
}

async function queryAll(flock: BenchFlock): Promise<number> {
  const submitted = await call(flock, 'POST', '/query-all', { sql: CAPPED_QUERY_ALL });
  const jobId = submitted.body!.data!.job_id!;
  for (;;) {
    const poll = await call(flock, 'GET', `/query-all/jobs/${jobId}`);
    if (poll.body?.data?.status !== 'processing') {
      if (!poll.body?.meta?.truncated) throw new Error('the query-all answer was not capped; the figure would not be a capped one');
      return JSON.stringify(poll.body).length;
    }
    await sleep(20);
  }
}

/** What Redis counts for every key of the deployment's (the default prefix, `flock`). */
const usedMemory = (redis: Redis) => redisBytesUnder(redis, 'flock:');

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function redisBytes(flock: BenchFlock, redis: Redis): Promise<void> {
  for (const question of QUESTIONS) await ask(flock, 'example', question);
  const before = await usedMemory(redis);
  const answers: number[] = [];
  for (let i = 0; i < ASKS; i += 20) {
    const batch = Array.from({ length: Math.min(20, ASKS - i) }, (_, j) => ask(flock, 'jec', QUESTIONS[(i + j) % QUESTIONS.length]!));
    for (const { bytes } of await Promise.all(batch)) answers.push(bytes);
  }
  const perAsk = ((await usedMemory(redis)) - before) / ASKS;
  const answerBytes = answers.reduce((a, b) => a + b, 0) / answers.length;
  console.log(
    `Redis bytes per ask (${ASKS} asks): ${kb(perAsk)}; its answer ${kb(answerBytes)} (ratio ${(perAsk / answerBytes).toFixed(1)}x)`,
  );

  const runs = 3;
  const start = await usedMemory(redis);
  let answerTotal = 0;
  for (let i = 0; i < runs; i++) answerTotal += await queryAll(flock);
  const perQueryAll = ((await usedMemory(redis)) - start) / runs;
  console.log(
    `Redis bytes per capped query-all on ${BUCKETS} buckets: ${kb(perQueryAll)}; its answer ${kb(answerTotal / runs)} ` +
      `(ratio ${(perQueryAll / (answerTotal / runs)).toFixed(2)}x, mean of ${runs})`,
  );
  const gb = 1024 ** 3;
  console.log(
    `  so 1 GB of maxmemory holds an hour of about ${Math.floor(gb / perAsk)} asks, or ${Math.floor(gb / perQueryAll)} capped query-alls`,
  );
}

async function refusedWrites(flock: BenchFlock, redis: Redis): Promise<void> {
  // A few asks in the queue as the writes start failing, as when Redis fills under load.
  const pending = Array.from({ length: 10 }, (_, i) =>
    call(flock, 'POST', `/api/v1/jec/ask`, { question: QUESTIONS[i % QUESTIONS.length]! }),
  );
  await redis.config('SET', 'maxmemory', '1');
  const before = flock.workerPids.map((pid) => flock.linesOf(pid));
  const refused = await call(flock, 'POST', '/api/v1/jec/ask', { question: QUESTIONS[0]! });
  await sleep(5_000);
  const lines = flock.workerPids.map((pid, i) => flock.linesOf(pid) - before[i]!);
  await redis.config('SET', 'maxmemory', '0');
  await Promise.all(pending);
  console.log(
    `refused writes: POST /ask answered ${refused.status} in ${refused.ms.toFixed(0)} ms; ` +
      `worker log lines in 5 s: ${lines.join(', ')} (target <= 100 each)`,
  );
}

async function redisDown(flock: BenchFlock): Promise<LocalRedis> {
  const { jobId } = await ask(flock, 'example', QUESTIONS[0]!);
  await flock.redis.kill();
  const asks: number[] = [];
  const polls: number[] = [];
  const statuses = new Set<number>();
  for (let i = 0; i < 5; i++) {
    const submitted = await call(flock, 'POST', '/api/v1/example/ask', { question: QUESTIONS[1]! });
    const polled = await call(flock, 'GET', `/api/v1/example/ask/jobs/${jobId}`);
    asks.push(submitted.ms);
    polls.push(polled.ms);
    statuses.add(submitted.status).add(polled.status);
  }
  console.log(
    `Redis down: POST /ask ${percentile(asks, 50).toFixed(0)} ms median, ${Math.max(...asks).toFixed(0)} ms slowest; ` +
      `poll ${percentile(polls, 50).toFixed(0)} ms median, ${Math.max(...polls).toFixed(0)} ms slowest; ` +
      `statuses ${[...statuses].join(', ')} (target: 503 within 2,000 ms, ratio ${(Math.max(...asks, ...polls) / 2000).toFixed(3)})`,
  );
  const back = await startLocalRedis({ port: flock.redis.port });
  const restarted = performance.now();
  for (;;) {
    const ok = await ask(flock, 'example', QUESTIONS[0]!).then(
      () => true,
      () => false,
    );
    if (ok) break;
    await sleep(50);
  }
  const recovered = performance.now() - restarted;
  console.log(`Redis back: an ask completed again ${seconds(recovered)} after it restarted (target 10 s)`);
  return back;
}

async function apiShutdown(dir: string): Promise<void> {
  // The in-flight request is a query answered at its 2 s limit.
  const flock = await startBenchFlock({ warehouseDir: dir, workers: 1, env: { FLOCK_QUERY_TIMEOUT_SECONDS: '2' } });
  try {
    await call(flock, 'POST', '/api/v1/example/query', { sql: 'SELECT 1 AS one' });
    const inFlight = call(flock, 'POST', '/api/v1/example/query', { sql: LONG_QUERY });
    await sleep(500);
    const signalled = performance.now();
    process.kill(flock.apiPid, 'SIGTERM');
    const answered = await inFlight;
    const answeredAt = performance.now() - signalled;
    const exitedAt = (await flock.exitOf(flock.apiPid)) - signalled;
    console.log(
      `API on SIGTERM with one request in flight: answered it (${answered.status}) at ${seconds(answeredAt)}, ` +
        `exited at ${seconds(exitedAt)} (${(exitedAt - answeredAt).toFixed(0)} ms after the answer; deadline 25 s)`,
    );
  } finally {
    await flock.stop();
  }
}

async function workerShutdown(dir: string): Promise<void> {
  const deadlineS = 3;
  const flock = await startBenchFlock({
    warehouseDir: dir,
    workers: 1,
    env: { FLOCK_SHUTDOWN_TIMEOUT_SECONDS: String(deadlineS), FLOCK_QUERY_TIMEOUT_SECONDS: '60', FLOCK_WORKER_TIMEOUT_SECONDS: '120' },
  });
  const abandon = new AbortController();
  try {
    await call(flock, 'POST', '/api/v1/example/query', { sql: 'SELECT 1 AS one' });
    // Its worker is gone once it is stopped: the API need not wait for the answer when it stops too.
    void call(flock, 'POST', '/api/v1/example/query', { sql: LONG_QUERY }, abandon.signal).catch(() => undefined);
    await sleep(1_000);
    const [pid] = flock.workerPids;
    const signalled = performance.now();
    process.kill(pid!, 'SIGTERM');
    const exitedAt = (await flock.exitOf(pid!)) - signalled;
    const limit = deadlineS * 1000 + 1000;
    console.log(
      `worker on SIGTERM mid-query, deadline ${deadlineS} s: exited at ${seconds(exitedAt)} ` +
        `(target ${seconds(limit)}, ratio ${(exitedAt / limit).toFixed(2)})`,
    );
  } finally {
    abandon.abort();
    await flock.stop();
  }
}

async function main(): Promise<void> {
  const dir = await keptWarehouses(BUCKETS);
  const flock = await startBenchFlock({ warehouseDir: dir, workers: 2, countLines: true });
  const redis = new Redis(flock.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined); // Redis is killed on purpose below
  let restarted: LocalRedis | undefined;
  try {
    await redis.connect();
    await redisBytes(flock, redis);
    await refusedWrites(flock, redis);
    redis.disconnect();
    restarted = await redisDown(flock);
  } finally {
    redis.disconnect();
    await flock.stop();
    await restarted?.stop();
  }
  await apiShutdown(dir);
  await workerShutdown(dir);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
