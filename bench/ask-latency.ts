/**
 * End-to-end latency of one ask on demo data: POST → worker → completed poll, through
 * a real API process, a real worker process and a private Redis. The baseline, run in
 * the same process and the same run, is the floor Flock cannot beat: opening nothing,
 * just running the same SQL on an already-open DuckDB connection to the same file.
 *
 *   pnpm bench:ask [--runs 50]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDemoWarehouses } from '@flock/demo';
import { freePort, startLocalRedis } from '@flock/local-redis';
import { percentile } from './support';

const QUESTIONS = ['How many active members do we have?', 'How many members by type?', 'Total payments by currency for 2024'];
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 50;

const root = path.resolve(__dirname, '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flock-bench-ask-'));
  await createDemoWarehouses({ dir, count: 3 });
  const redis = await startLocalRedis();
  const port = await freePort();
  const env = { ...process.env, REDIS_URL: redis.url, FLOCK_WAREHOUSE_DIR: dir, PORT: String(port), FLOCK_LOG_LEVEL: 'warn' };
  const children: ChildProcess[] = ['apps/api/src/main.ts', 'apps/worker/src/main.ts'].map((entry) =>
    spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env, stdio: 'inherit' }),
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 200; i++) {
      if (await fetch(`${base}/readyz`).then((r) => r.ok).catch(() => false)) break;
      await sleep(50);
    }
    const ask = async (question: string) => {
      const started = performance.now();
      const submitted = (await (
        await fetch(`${base}/api/v1/example/ask`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ question }),
        })
      ).json()) as { data: { job_id: string } };
      for (;;) {
        const body = (await (await fetch(`${base}/api/v1/example/ask/jobs/${submitted.data.job_id}`)).json()) as {
          data: { status: string; generated_sql: string };
        };
        if (body.data.status === 'completed') return { ms: performance.now() - started, sql: body.data.generated_sql };
        if (body.data.status === 'failed') throw new Error(`ask failed: ${JSON.stringify(body)}`);
        await sleep(1);
      }
    };

    const cold = await ask(QUESTIONS[0]!);
    const flock: number[] = [];
    const sqls = new Map<string, string>();
    for (let i = 0; i < RUNS; i++) {
      const question = QUESTIONS[i % QUESTIONS.length]!;
      const { ms, sql } = await ask(question);
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

    const row = (label: string, values: number[]) =>
      `${label.padEnd(34)} median ${percentile(values, 50).toFixed(2).padStart(7)} ms   p95 ${percentile(values, 95).toFixed(2).padStart(7)} ms`;
    console.log(`ask latency on demo bucket 'example', ${RUNS} asks over the 3 seed questions`);
    console.log(`first ask (cold instance, schema read): ${cold.ms.toFixed(1)} ms`);
    console.log(row('flock POST → completed poll', flock));
    console.log(row('baseline: same SQL, open DuckDB', baseline));
    console.log(`ratio (median flock / median baseline): ${(percentile(flock, 50) / percentile(baseline, 50)).toFixed(1)}x`);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((child) => new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)))));
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
