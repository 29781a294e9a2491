import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LocalRedis } from '@flock/local-redis';

/** The nl-dev question set beside the repository (CI checks shared/ out next to it). */
export const DEFAULT_QUESTIONS = path.resolve(__dirname, '../../shared/nl-dev/questions.jsonl');

export interface Question {
  id: string;
  /** The database a foreign-schema question runs on (`databases/<db>.sql`); absent for demo buckets. */
  db?: string;
  kind: string;
  question: string;
  gold: string | null;
  ordered?: boolean;
}

export function readQuestions(file: string): Question[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Question);
}

/** The p-th percentile (nearest rank) of unsorted samples. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** One line of a latency table: the label, then the median and p95 of `values` in ms. */
export function latencyRow(label: string, values: number[]): string {
  const ms = (p: number) => percentile(values, p).toFixed(2).padStart(7);
  return `${label.padEnd(34)} median ${ms(50)} ms   p95 ${ms(95)} ms`;
}

/**
 * Measures two ways of doing the same thing in turn, `runs` times, the `i`-th run on
 * `questions[i % length]`, alternating which goes first so neither always runs on a
 * machine the other just warmed. Returns each one's measures, in order.
 */
export async function alternate<T>(
  runs: number,
  questions: readonly string[],
  first: (question: string) => Promise<T>,
  second: (question: string) => Promise<T>,
): Promise<[T[], T[]]> {
  const measured: [T[], T[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    const question = questions[i % questions.length]!;
    const order: Array<0 | 1> = i % 2 === 0 ? [0, 1] : [1, 0];
    for (const arm of order) measured[arm].push(await (arm === 0 ? first : second)(question));
  }
  return measured;
}

/** A Flock deployment for a benchmark: private Redis, one API process and `workers` worker processes. */
export interface BenchFlock {
  base: string;
  /** Headers that authenticate as the benchmark's admin key. */
  headers: Record<string, string>;
  apiPid: number;
  workerPids: number[];
  /** Each worker's operations port (`/metrics`), in the order of workerPids. */
  workerOps: string[];
  /** Its private Redis, for benchmarks that stop it or read its memory. */
  redis: LocalRedis;
  /** Resolves when the process of that pid has exited, with the time it did (performance.now()). */
  exitOf(pid: number): Promise<number>;
  /** With `countLines`: the lines of log the process of that pid has written so far. */
  linesOf(pid: number): number;
  stop(): Promise<void>;
}

export async function startBenchFlock(options: {
  warehouseDir: string;
  workers: number;
  env?: Record<string, string>;
  /** Count each process's log lines (see linesOf) instead of passing them through. */
  countLines?: boolean;
  /** Node flags for every process, such as `--cpu-prof` (which NODE_OPTIONS refuses); worker children inherit them. */
  nodeArgs?: string[];
}): Promise<BenchFlock> {
  const { spawn } = await import('node:child_process');
  const { randomBytes } = await import('node:crypto');
  const { freePort, startLocalRedis } = await import('@flock/local-redis');
  const redis = await startLocalRedis();
  const port = await freePort();
  const adminKey = `flk_bench_${randomBytes(16).toString('hex')}`;
  const env = {
    ...process.env,
    REDIS_URL: redis.url,
    FLOCK_WAREHOUSE_DIR: options.warehouseDir,
    PORT: String(port),
    FLOCK_LOG_LEVEL: 'warn',
    FLOCK_ADMIN_API_KEY: adminKey,
    FLOCK_RATE_LIMIT_ASKS_PER_MINUTE: '100000',
    FLOCK_RATE_LIMIT_REQUESTS_PER_SECOND: '100000',
    // Benches repeat a few questions: each ask must cost the whole path, not a cache hit
    // (bench:cache turns the cache on to measure it).
    FLOCK_ANSWER_CACHE: 'false',
    ...options.env,
  };
  const root = path.resolve(__dirname, '..');
  const lines = new Map<number, number>();
  const exits = new Map<number, Promise<number>>();
  const start = (entry: string, own: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--require', 'tsx/cjs', entry], {
      cwd: root,
      env: { ...env, ...own },
      stdio: options.countLines ? ['ignore', 'pipe', 'inherit'] : 'inherit',
    });
    exits.set(child.pid!, new Promise((resolve) => child.once('exit', () => resolve(performance.now()))));
    child.stdout?.on('data', (data: Buffer) => {
      let count = 0;
      for (const byte of data) if (byte === 10) count++;
      lines.set(child.pid!, (lines.get(child.pid!) ?? 0) + count);
    });
    return child;
  };
  // A port each, as workers on one host would contend for one; none of them bound yet, so
  // the kernel could offer one twice.
  const opsPorts: number[] = [];
  while (opsPorts.length < options.workers) {
    const opsPort = await freePort();
    if (opsPort !== port && !opsPorts.includes(opsPort)) opsPorts.push(opsPort);
  }
  const children = [
    start('apps/api/src/main.ts'),
    ...opsPorts.map((opsPort) =>
      start('apps/worker/src/main.ts', { FLOCK_WORKER_PORT: options.env?.FLOCK_WORKER_PORT ?? String(opsPort) }),
    ),
  ];
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 400; i++) {
    if (
      await fetch(`${base}/readyz`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      break;
    await sleep(50);
  }
  return {
    base,
    headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
    apiPid: children[0]!.pid!,
    workerPids: children.slice(1).map((child) => child.pid!),
    workerOps: opsPorts.map((opsPort) => `http://127.0.0.1:${opsPort}`),
    redis,
    exitOf: (pid) => exits.get(pid)!,
    linesOf: (pid) => lines.get(pid) ?? 0,
    async stop() {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map((child) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))));
      await redis.stop();
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident memory of a process and its descendants in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    // A worker is a supervisor and its worker process: count the whole tree.
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    return kb / 1024 + children.reduce((sum, child) => sum + rssMb(child), 0);
  } catch {
    return 0;
  }
}

/**
 * A folder of `count` demo warehouses, created once and kept in
 * $TMPDIR/flock-bench-warehouses for later runs: they are deterministic.
 */
export async function keptWarehouses(count: number): Promise<string> {
  const dir = path.join(os.tmpdir(), 'flock-bench-warehouses', String(count));
  mkdirSync(dir, { recursive: true });
  const { createDemoWarehouses } = await import('@flock/demo');
  const started = Date.now();
  const summary = await createDemoWarehouses({ dir, count });
  if (summary.created.length > 0)
    console.log(`created ${summary.created.length} demo warehouses in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** The buckets of a warehouse folder, sorted. */
export function bucketsIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.duckdb'))
    .map((file) => file.slice(0, -'.duckdb'.length))
    .sort();
}

/** CPU seconds (user + system) a process and its descendants have used, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    return ticks / 100 + children.reduce((sum, child) => sum + cpuSeconds(child), 0);
  } catch {
    return 0;
  }
}
