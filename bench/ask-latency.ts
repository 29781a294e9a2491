/**
 * End-to-end latency of one ask on demo data: POST → worker → completed poll, through
 * a real API process, a real worker process and a private Redis. The baseline, run in
 * the same process and the same run, is the floor Flock cannot beat: opening nothing,
 * just running the same SQL on an already-open DuckDB connection to the same file.
 *
 * Then what the metrics cost (issue 11): a second deployment with FLOCK_METRICS=false,
 * asked in turn with the first (so both see the same machine at the same moment), with
 * the median latency and the CPU per ask of each and their ratio.
 *
 *   pnpm bench:ask [--runs 50]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDemoWarehouses } from '@flock/demo';
import { alternate, cpuSeconds, latencyRow, percentile, sleep, startBenchFlock, type BenchFlock } from './support';

const QUESTIONS = ['How many active members do we have?', 'How many members by type?', 'Total payments by currency for 2024'];
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 50;

/** One ask, POST → completed poll, on the deployment's 'example' bucket. */
async function ask(deployment: BenchFlock, question: string): Promise<{ ms: number; sql: string }> {
  const started = performance.now();
  const submitted = (await (
    await fetch(`${deployment.base}/api/v1/example/ask`, {
      method: 'POST',
      headers: deployment.headers,
      body: JSON.stringify({ question }),
    })
  ).json()) as { data: { job_id: string } };
  for (;;) {
    const body = (await (
      await fetch(`${deployment.base}/api/v1/example/ask/jobs/${submitted.data.job_id}`, { headers: deployment.headers })
    ).json()) as {
      data: { status: string; generated_sql: string };
    };
    if (body.data.status === 'completed') return { ms: performance.now() - started, sql: body.data.generated_sql };
    if (body.data.status === 'failed') throw new Error(`ask failed: ${JSON.stringify(body)}`);
    await sleep(1);
  }
}

const cpuOf = (deployment: BenchFlock) => [deployment.apiPid, ...deployment.workerPids].reduce((sum, pid) => sum + cpuSeconds(pid), 0);

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flock-bench-ask-'));
  await createDemoWarehouses({ dir, count: 3 });
  const deployment = await startBenchFlock({ warehouseDir: dir, workers: 1 });
  try {
    const cold = await ask(deployment, QUESTIONS[0]!);
    const flock: number[] = [];
    const sqls = new Map<string, string>();
    for (let i = 0; i < RUNS; i++) {
      const question = QUESTIONS[i % QUESTIONS.length]!;
      const { ms, sql } = await ask(deployment, question);
      flock.push(ms);
      sqls.set(question, sql);
    }

    const instance = await DuckDBInstance.create(path.join(dir, 'example.duckdb'), { access_mode: 'READ_ONLY' });
    const connection = await instance.connect();
    const baseline: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      (await connection.runAndReadAll(sqls.get(QUESTIONS[i % QUESTIONS.length]!)!)).getRowsJson();
      baseline.push(performance.now() - started);
    }
    connection.closeSync();
    instance.closeSync();

    console.log(`ask latency on demo bucket 'example', ${RUNS} asks over the 3 seed questions`);
    console.log(`first ask (cold instance, schema read): ${cold.ms.toFixed(1)} ms`);
    console.log(latencyRow('flock POST → completed poll', flock));
    console.log(latencyRow('baseline: same SQL, open DuckDB', baseline));
    console.log(`ratio (median flock / median baseline): ${(percentile(flock, 50) / percentile(baseline, 50)).toFixed(1)}x`);

    await metricsCost(dir, deployment);
  } finally {
    await deployment.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The metrics' cost: `on` (the deployment above) against one with FLOCK_METRICS=false, asked in turn. */
async function metricsCost(dir: string, on: BenchFlock): Promise<void> {
  const off = await startBenchFlock({ warehouseDir: dir, workers: 1, env: { FLOCK_METRICS: 'false' } });
  try {
    // Both warm: the JIT, the sandbox instance and the schema cache.
    for (let i = 0; i < 30; i++) for (const deployment of [on, off]) await ask(deployment, QUESTIONS[i % QUESTIONS.length]!);
    const runs = Math.max(RUNS, 200);
    const cpu = { on: 0, off: 0 };
    /** One ask's latency on a deployment, its processes' CPU added to that deployment's. */
    const timed = (name: 'on' | 'off', deployment: BenchFlock) => async (question: string) => {
      const before = cpuOf(deployment);
      const { ms } = await ask(deployment, question);
      cpu[name] += cpuOf(deployment) - before;
      return ms;
    };
    const [offMs, onMs] = await alternate(runs, QUESTIONS, timed('off', off), timed('on', on));
    const latencies = { on: onMs, off: offMs };
    console.log(`\nmetrics cost: ${runs} asks each, alternating between FLOCK_METRICS=true and false`);
    console.log(latencyRow('metrics on', latencies.on));
    console.log(latencyRow('metrics off', latencies.off));
    const cpuMs = (seconds: number) => ((seconds * 1000) / runs).toFixed(2);
    console.log(`CPU per ask (API + worker): on ${cpuMs(cpu.on)} ms, off ${cpuMs(cpu.off)} ms`);
    console.log(
      `ratio on/off: latency ${(percentile(latencies.on, 50) / percentile(latencies.off, 50)).toFixed(3)}x, CPU ${(cpu.on / cpu.off).toFixed(3)}x (target < 1.05x)`,
    );
  } finally {
    await off.stop();
  }
}

void main();
