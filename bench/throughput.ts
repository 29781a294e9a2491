/**
 * Throughput of asks (issue 15): a private Redis, the API and N worker processes, driven
 * by a fixed number of clients, each submitting one of the three seed questions and
 * waiting for its answer, then the next. Over one bucket, then spread over every
 * bucket of 177, then of 1,000 demo warehouses (created once, kept in
 * $TMPDIR/flock-bench-warehouses). For each it prints completed asks/s, over the load's
 * first --warm-up seconds on processes just started and then over its next --seconds
 * (the measured window, which every other figure is of), latency percentiles, CPU per ask of the API and of the workers, the share of asks whose bucket
 * no idle sandbox held (cold leases per ask), and, in the same run, the
 * ratio to two baselines no Flock ask can beat:
 *
 * - open DuckDB: the same questions' SQL on an already-open connection, one at a time,
 *   each statement prepared once; and, just before each scenario's load, in one process
 *   per core at once (see openDuckDbOnCores), the machine's pace at that moment;
 * - raw BullMQ: no-op jobs through a queue with 2 x 4 workers, each awaited through
 *   QueueEvents, with as many clients.
 *
 * The processes log at info, as a deployment does by default: their lines are written to
 * a pipe and counted per ask, not shown.
 *
 * Then the cold ask: the first on a bucket no worker has served, POST → answer, on
 * processes just started (before the last scenario's load) and on warm ones (after it,
 * on buckets kept out of that load, which runs over the others). Each scenario starts once the workers have prefetched every bucket's schema, which is
 * timed and printed apart.
 *
 *   pnpm bench:throughput [--workers 2] [--clients 32] [--warm-up 10] [--seconds 10] [--sets 1,177,1000] [--wait-ms 20000] [--held-poll] [--poll-ms 10] [--profile DIR] [--answer-cache]
 *
 * With --profile, each process writes a V8 CPU profile, and each scenario prints the
 * `pnpm bench:profile-top` command that reads only its load's samples.
 *
 * Each client asks in one call that waits for the answer (`POST …/ask?wait_ms`), as a
 * client that wants its answer soon should; `--held-poll` submits and then holds a poll
 * (`GET …/jobs/{id}?wait_ms`), and `--wait-ms 0 --poll-ms 10` measures plain polling.
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { startLocalRedis } from '@flock/local-redis';
import { openDuckDbOnCores, openDuckDbRate } from './open-duckdb';
import { bucketsIn, cpuSeconds, keptWarehouses, percentile, rssMb, sleep, startBenchFlock, type BenchFlock } from './support';

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1]! : fallback;
}

const WORKERS = Number(arg('workers', '2'));
const CLIENTS = Number(arg('clients', '32'));
const SECONDS = Number(arg('seconds', '10'));
/**
 * Seconds of the same load before each scenario's measured seconds, timed apart: until
 * V8 has compiled the hot paths, a process just started spends 2.2-2.4 times the CPU
 * per ask (profiled over one bucket: 6.2 against 2.8 ms of the API's main thread per ask
 * in the load's first 4 s and in its 17th to 20th, 5.3 against 2.2 ms of each worker's),
 * so a window that starts with the processes measures their warm-up, not their pace.
 */
const WARM_UP = Number(arg('warm-up', '10'));
const SETS = arg('sets', '1,177,1000').split(',').map(Number);
/** How long each poll is held until the job finishes (`wait_ms`); 0 polls every POLL_MS instead. */
const WAIT_MS = Number(arg('wait-ms', '20000'));
/** With --wait-ms 0, how often a client polls its job. */
const POLL_MS = Number(arg('poll-ms', '10'));
/**
 * With --answer-cache, the deployment's default: a repeated question on unchanged data is
 * answered from the earlier job. Off otherwise, so that every ask costs the whole path.
 */
const ANSWER_CACHE = process.argv.includes('--answer-cache');
/**
 * With --held-poll, each client submits, then holds a poll (`GET …?wait_ms`), as the
 * seed's clients do; by default the POST itself waits (`POST …/ask?wait_ms`), one call.
 */
const ONE_CALL = WAIT_MS > 0 && !process.argv.includes('--held-poll');
/** A folder for V8 CPU profiles of the API and every worker process (--cpu-prof), one per process. */
const PROFILE_DIR = arg('profile', '');
const QUESTIONS = ['How many active members do we have?', 'How many members by type?', 'Total payments by currency for 2024'];

/** Redis's own CPU seconds and commands processed so far (INFO), to price an ask in Redis work. */
async function redisStats(url: string): Promise<{ cpuSeconds: number; commands: number; byCommand: Map<string, number> }> {
  const redis = new Redis(url, { lazyConnect: true });
  try {
    await redis.connect();
    const info = await redis.info('all');
    const byCommand = new Map<string, number>();
    for (const [, name, calls] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) byCommand.set(name!, Number(calls));
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
    return {
      cpuSeconds: field('used_cpu_sys') + field('used_cpu_user'),
      commands: field('total_commands_processed'),
      byCommand,
    };
  } finally {
    redis.disconnect();
  }
}

interface AskReply {
  data: { job_id: string; status: string; generated_sql?: string };
  meta?: { generation_time_ms?: number };
}

/**
 * The clients' connections, kept alive. The load generator shares the machine's two cores
 * with what it measures, so it speaks plain node:http: global fetch cost about 1.6 ms of
 * CPU per ask here, a seventh of the whole, which Flock's figures would otherwise pay for.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });

function call(url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: body === undefined ? 'GET' : 'POST', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        } catch (error) {
          reject(error as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function ask(flock: BenchFlock, bucket: string, question: string): Promise<AskReply> {
  const res = await call(
    `${flock.base}/api/v1/${bucket}/ask${ONE_CALL ? `?wait_ms=${WAIT_MS}` : ''}`,
    flock.headers,
    JSON.stringify({ question }),
  );
  const submitted = res.json as AskReply;
  if (res.status === 200) {
    if (submitted.data.status === 'completed') return submitted;
    throw new Error(`ask failed: ${JSON.stringify(submitted)}`);
  }
  if (res.status !== 202) throw new Error(`ask not accepted: ${res.status} ${JSON.stringify(submitted)}`);
  for (;;) {
    const body = (await call(`${flock.base}/api/v1/${bucket}/ask/jobs/${submitted.data.job_id}?wait_ms=${WAIT_MS}`, flock.headers))
      .json as AskReply;
    if (body.data.status === 'completed') return body;
    if (body.data.status === 'failed') throw new Error(`ask failed: ${JSON.stringify(body)}`);
    if (WAIT_MS === 0) await sleep(POLL_MS);
  }
}

interface Load {
  perSecond: number;
  latencies: number[];
  failed: number;
}

/**
 * CLIENTS loops, each running `step` again and again until `seconds` have passed, with
 * a turn number shared by all; resolves with how many seconds they took.
 */
async function withClients(seconds: number, step: (turn: number) => Promise<void>): Promise<number> {
  let next = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) await step(next++);
    }),
  );
  return (performance.now() - started) / 1000;
}

/** Clients asking and waiting for `seconds`, the buckets taken in turn. */
async function drive(flock: BenchFlock, buckets: string[], seconds: number): Promise<Load> {
  const latencies: number[] = [];
  let failed = 0;
  const took = await withClients(seconds, async (turn) => {
    const begun = performance.now();
    try {
      await ask(flock, buckets[turn % buckets.length]!, QUESTIONS[turn % QUESTIONS.length]!);
      latencies.push(performance.now() - begun);
    } catch {
      failed++;
    }
  });
  return { perSecond: latencies.length / took, latencies, failed };
}

/**
 * The first ask on each of `buckets`, one at a time, POST → answer: its p50 and max. With
 * `workersFirst` (the processes have answered nothing yet), also the very first, with its
 * generation time: what a worker's cold engine costs.
 */
async function firstAsks(flock: BenchFlock, buckets: string[], workersFirst = false): Promise<string> {
  const times: number[] = [];
  let firstGeneration: number | undefined;
  for (const bucket of buckets) {
    const begun = performance.now();
    const reply = await ask(flock, bucket, QUESTIONS[0]!);
    times.push(performance.now() - begun);
    if (times.length === 1) firstGeneration = reply.meta?.generation_time_ms;
  }
  const first = workersFirst ? `, the very first ${times[0]!.toFixed(1)} ms (generation ${firstGeneration ?? '?'} ms)` : '';
  return `p50 ${percentile(times, 50).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms${first}`;
}

async function rawBullMqBaseline(seconds: number, warmUp: number): Promise<number> {
  const redis = await startLocalRedis();
  const connection = { url: redis.url, maxRetriesPerRequest: null };
  const queue = new Queue('baseline', { connection });
  const events = new QueueEvents('baseline', { connection });
  const workers = Array.from({ length: 2 }, () => new Worker('baseline', async () => ({ ok: true }), { connection, concurrency: 4 }));
  // Every client waits on the same two emitters.
  queue.setMaxListeners(CLIENTS + 10);
  events.setMaxListeners(CLIENTS + 10);
  try {
    await events.waitUntilReady();
    let done = 0;
    const noop = async () => {
      const job = await queue.add('noop', {}, { removeOnComplete: 1000 });
      await job.waitUntilFinished(events);
      done++;
    };
    // Warmed up as the load is, or the ratio to it would flatter Flock.
    await withClients(warmUp, noop);
    done = 0;
    const took = await withClients(seconds, noop);
    return done / took;
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
    await events.close();
    await queue.close();
    await redis.stop();
  }
}

/**
 * Leases the workers' sandbox pools have served cold so far: tenant files attached to a
 * reused instance, and instances created (those made ahead at start-up included), read
 * from each worker's /metrics. Undefined if a worker did not answer.
 */
async function coldLeases(flock: BenchFlock): Promise<number | undefined> {
  let sum = 0;
  for (const base of flock.workerOps) {
    const text = await fetch(`${base}/metrics`)
      .then((res) => (res.ok ? res.text() : undefined))
      .catch(() => undefined);
    if (text === undefined) return undefined;
    // No counters (the worker process is being replaced) is no answer either, not a zero.
    const values = [...text.matchAll(/^flock_sandbox_(?:attaches|instances_created)_total(?:\{[^}]*\})? (\S+)$/gm)];
    if (values.length === 0) return undefined;
    for (const [, value] of values) sum += Number(value);
  }
  return sum;
}

/**
 * Seconds until the workers have prefetched every bucket's schema (FLOCK_SCHEMA_PREFETCH):
 * until their CPU, read from /proc, has stayed under 10% of a core each for two seconds
 * running (a prefetching worker keeps one busy; a profiled idle one uses a few %).
 */
async function workersSettled(flock: BenchFlock): Promise<number> {
  const started = performance.now();
  let quiet = 0;
  let last = flock.workerPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  while (quiet < 4 && performance.now() - started < 600_000) {
    await sleep(500);
    const now = flock.workerPids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    // Profiled processes (--profile) keep V8's sampler busy even when idle.
    quiet = now - last < (PROFILE_DIR ? 0.2 : 0.05) * flock.workerPids.length ? quiet + 1 : 0;
    last = now;
  }
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const bullmqWarmUp = Math.min(WARM_UP, 5);
  const bullmq = await rawBullMqBaseline(5, bullmqWarmUp);
  console.log(
    `baseline, raw BullMQ (no-op jobs, 2 x 4 workers, ${CLIENTS} clients, after ${bullmqWarmUp} s of the same): ${bullmq.toFixed(0)} jobs/s`,
  );
  /** The open-DuckDB baseline: its file and SQL, and its pace on one connection, measured in the first scenario. */
  let duckdb: { file: string; sqls: string[]; perSecond: number } | undefined;

  console.log(
    `${ANSWER_CACHE ? 'answer cache on (repeated questions answered from earlier jobs), ' : ''}${WORKERS} workers, ${CLIENTS} clients ${WAIT_MS === 0 ? `polling every ${POLL_MS} ms` : ONE_CALL ? `each ask one call waiting up to ${WAIT_MS} ms (POST …/ask?wait_ms)` : `holding each poll up to ${WAIT_MS} ms (GET …?wait_ms)`}, ${WARM_UP} s of warm-up then ${SECONDS} s measured a scenario, the three seed questions in turn`,
  );
  const header = [
    'buckets',
    `asks/s, first ${WARM_UP} s of load`,
    'asks/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'failed',
    'API CPU ms/ask',
    'workers CPU ms/ask (each)',
    'Redis CPU ms/ask',
    'load generator CPU ms/ask',
    'log lines/ask',
    'Redis commands/ask',
    'cold leases/ask',
    'worker RSS MB (peak)',
    'vs BullMQ',
    'vs DuckDB',
    'vs DuckDB on every core (just before)',
  ];
  const rows: string[][] = [];
  const colds: string[] = [];
  for (const count of SETS) {
    const dir = await keptWarehouses(Math.max(count, 3));
    const buckets = bucketsIn(dir);
    // In the last scenario, the first ask on buckets no worker has served (see the header):
    // `started` before the load, on processes just started, as after a deploy; `warm`
    // after it, on buckets the load never touched, as a new tenant meets a running
    // deployment. The table's row is measured between the two.
    const cold = count === SETS.at(-1) ? Math.min(20, Math.floor(buckets.length / 4)) : 0;
    const warm = buckets.slice(buckets.length - cold);
    const started = buckets.slice(buckets.length - 2 * cold, buckets.length - cold);
    const used = count === 1 ? ['example'] : buckets.slice(0, count).filter((bucket) => !warm.includes(bucket));
    const flock = await startBenchFlock({
      warehouseDir: dir,
      workers: WORKERS,
      nodeArgs: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE_DIR)}`] : [],
      // Logging as a deployment does by default, each line written and counted, not shown.
      env: { FLOCK_LOG_LEVEL: 'info', ...(ANSWER_CACHE ? { FLOCK_ANSWER_CACHE: 'true' } : {}) },
      countLines: true,
    });
    try {
      // The workers read every bucket's schema when they start: measured apart, as an operator pays it once per file version.
      const took = await workersSettled(flock);
      console.log(`${buckets.length} buckets' schemas prefetched by the workers in ${took.toFixed(1)} s`);
      // Before any other ask, the baseline's included: the first is the workers' very first.
      const coldOf = `first on a bucket, ${cold} buckets of ${buckets.length}`;
      if (count === SETS.at(-1) && cold === 0) colds.push('cold ask: not measured, as it needs a last scenario of 4 buckets or more');
      if (cold > 0) colds.push(`cold ask (${coldOf}), processes just started: ${await firstAsks(flock, started, true)}`);
      if (duckdb === undefined) {
        const sqls = [];
        for (const question of QUESTIONS) sqls.push((await ask(flock, 'example', question)).data.generated_sql!);
        const file = path.join(dir, 'example.duckdb');
        duckdb = { file, sqls, perSecond: await openDuckDbRate(file, sqls, Date.now() + 1_000) };
        console.log(`baseline, open DuckDB (the same SQL prepared once, one connection): ${duckdb.perSecond.toFixed(0)} queries/s`);
      }
      // The load itself, first, on processes just started: its pace is printed, and the
      // measured window below starts once V8 has compiled the paths it runs (see WARM_UP).
      const warmUp = WARM_UP > 0 ? await drive(flock, used, WARM_UP) : undefined;
      if (warmUp?.failed) console.log(`  ${warmUp.failed} asks failed during the warm-up`);
      // The machine's pace drifts within a run, and one core's pace does not tell both cores':
      // open DuckDB in one process per core, just before this load. No more processes than
      // the load has (API, workers, Redis, this generator): on a large machine it could
      // not use the rest either.
      const cores = Math.min(os.availableParallelism(), WORKERS + 3);
      const both = await openDuckDbOnCores(duckdb.file, duckdb.sqls, cores);
      console.log(`baseline, open DuckDB in ${cores} processes at once, just before this load: ${both.toFixed(0)} queries/s`);
      const pids = { api: [flock.apiPid], workers: flock.workerPids };
      const cpu = (list: number[]) => list.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
      const redisBefore = await redisStats(flock.redis.url);
      const coldBefore = await coldLeases(flock);
      const before = { api: cpu(pids.api), workers: cpu(pids.workers), each: pids.workers.map((pid) => cpuSeconds(pid)) };
      const lines = () => [flock.apiPid, ...flock.workerPids].reduce((sum, pid) => sum + flock.linesOf(pid), 0);
      const linesBefore = lines();
      let peakRss = 0;
      const sampler = setInterval(() => {
        for (const pid of flock.workerPids) peakRss = Math.max(peakRss, rssMb(pid));
      }, 200);
      const ownBefore = process.cpuUsage();
      const window = [process.hrtime.bigint() / 1000n];
      const load = await drive(flock, used, SECONDS).finally(() => clearInterval(sampler));
      window.push(process.hrtime.bigint() / 1000n);
      const own = process.cpuUsage(ownBefore);
      // V8 stamps profile samples with the same monotonic clock, in µs: the load's samples are those between.
      if (PROFILE_DIR)
        console.log(
          `  the load's profile: pnpm bench:profile-top ${PROFILE_DIR} --from ${window[0]} --to ${window[1]} --asks ${load.latencies.length}`,
        );
      const asks = load.latencies.length;
      const apiMs = ((cpu(pids.api) - before.api) * 1000) / asks;
      const workersMs = ((cpu(pids.workers) - before.workers) * 1000) / asks;
      // Each process's share, per ask of the whole load: an uneven split shows here.
      const eachMs = pids.workers.map((pid, i) => (((cpuSeconds(pid) - before.each[i]!) * 1000) / asks).toFixed(1));
      const redisAfter = await redisStats(flock.redis.url);
      const coldAfter = await coldLeases(flock);
      rows.push([
        String(used.length),
        warmUp ? warmUp.perSecond.toFixed(0) : '-',
        load.perSecond.toFixed(0),
        percentile(load.latencies, 50).toFixed(0),
        percentile(load.latencies, 95).toFixed(0),
        percentile(load.latencies, 99).toFixed(0),
        String(load.failed),
        apiMs.toFixed(1),
        `${workersMs.toFixed(1)} (${eachMs.join(' + ')})`,
        (((redisAfter.cpuSeconds - redisBefore.cpuSeconds) * 1000) / asks).toFixed(1),
        ((own.user + own.system) / 1000 / asks).toFixed(1),
        ((lines() - linesBefore) / asks).toFixed(1),
        ((redisAfter.commands - redisBefore.commands) / asks).toFixed(0),
        coldBefore === undefined || coldAfter === undefined ? '?' : ((coldAfter - coldBefore) / asks).toFixed(2),
        peakRss.toFixed(0),
        `${(load.perSecond / bullmq).toFixed(3)}x`,
        `${(load.perSecond / duckdb.perSecond).toFixed(3)}x`,
        `${(load.perSecond / both).toFixed(3)}x`,
      ]);
      console.log(`| ${rows.at(-1)!.join(' | ')} |`);
      const perCommand = [...redisAfter.byCommand].map(
        ([name, calls]) => [name, (calls - (redisBefore.byCommand.get(name) ?? 0)) / asks] as const,
      );
      console.log(
        `  Redis commands per ask: ${perCommand
          .filter(([, perAsk]) => perAsk >= 0.5)
          .sort((a, b) => b[1] - a[1])
          .map(([name, perAsk]) => `${name} ${perAsk.toFixed(1)}`)
          .join(', ')}`,
      );
      if (cold > 0) colds.push(`cold ask (${coldOf}), processes warm: ${await firstAsks(flock, warm)}`);
    } finally {
      await flock.stop();
    }
  }
  console.log();
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  for (const line of colds) console.log(line);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
